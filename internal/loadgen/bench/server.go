package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is a `takes serve` child process on loopback ports, with its debug endpoint.
type server struct {
	cmd    *exec.Cmd
	URL    string // the application, http://127.0.0.1:PORT
	Debug  string // the debug endpoint, http://127.0.0.1:PORT
	exited chan struct{}
	err    error // of the process, once exited is closed
}

// startServer starts bin as a server on dataDir, logging to logPath, and waits until it listens.
func startServer(ctx context.Context, bin, dataDir, logPath string, extra []string) (*server, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bench: server log: %w", err)
	}
	args := []string{"serve", "-addr", "127.0.0.1:0", "-data", dataDir, "-ice-loopback-only",
		"-demo=false", "-debug-addr", "127.0.0.1:0", "-log-level", "info"}
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("bench: start server: %w", err)
	}
	s := &server{cmd: cmd, exited: make(chan struct{})}
	found := make(chan struct{})
	go func() {
		s.readStdout(stdout, logFile, found)
		s.err = cmd.Wait() // only once stdout is read to its end
		logFile.Close()
		close(s.exited)
	}()
	select {
	case <-found:
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("bench: the server exited (%v); see %s", s.err, logPath)
	case <-time.After(30 * time.Second):
	case <-ctx.Done():
	}
	s.stop()
	return nil, fmt.Errorf("bench: the server did not say where it listens; see %s", logPath)
}

// readStdout picks the server's addresses from what it prints, and copies all of it to the log.
func (s *server) readStdout(r io.Reader, log io.Writer, found chan<- struct{}) {
	sc := bufio.NewScanner(r)
	told := false
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(log, line)
		if _, rest, ok := strings.Cut(line, " is listening on "); ok && s.URL == "" {
			s.URL, _, _ = strings.Cut(rest, " ")
		}
		if _, rest, ok := strings.Cut(line, "Debug endpoint: "); ok && s.Debug == "" {
			s.Debug = strings.TrimSuffix(strings.TrimSpace(rest), "/debug/pprof/")
		}
		if !told && s.URL != "" && s.Debug != "" {
			told = true
			close(found)
		}
	}
}

// stop sends SIGTERM and waits for the server to finish its takes and exit, killing it after a minute.
func (s *server) stop() (time.Duration, error) {
	start := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return time.Since(start), errors.New("bench: the server did not stop within a minute and was killed")
	}
	return time.Since(start), s.err
}

// goroutines asks the debug endpoint for the server's number of goroutines.
func (s *server) goroutines(ctx context.Context) (int, error) {
	body, err := s.get(ctx, "/debug/goroutines")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(body)))
}

// memStats are the server's runtime memory statistics that the bench uses.
type memStats struct {
	Mallocs   uint64 // heap objects allocated since the start
	NumGC     uint32
	HeapInuse uint64
}

// memStats reads the server's /debug/vars.
func (s *server) memStats(ctx context.Context) (memStats, error) {
	body, err := s.get(ctx, "/debug/vars")
	if err != nil {
		return memStats{}, err
	}
	var v struct{ Memstats memStats }
	if err := json.Unmarshal(body, &v); err != nil {
		return memStats{}, fmt.Errorf("bench: /debug/vars: %w", err)
	}
	return v.Memstats, nil
}

// profile takes a CPU profile of the server for d and writes it to path.
func (s *server) profile(ctx context.Context, d time.Duration, path string) error {
	body, err := s.get(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", int(d.Seconds())))
	if err != nil {
		return err
	}
	return os.WriteFile(path, body, 0o644)
}

func (s *server) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Debug+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("bench: %s: %s", path, resp.Status)
	}
	return body, err
}
