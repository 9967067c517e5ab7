package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/takes/takes/internal/loadgen"
)

// loadgenCmd runs the load generator against a server on loopback, or prepares invitations for it.
func loadgenCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage:
  takes loadgen -data DIR -invite N [-tokens FILE]   create N ready invitations (server stopped)
  takes loadgen -url URL -tokens FILE -n N [flags]   run N candidates against a server on loopback

`)
		fs.PrintDefaults()
	}
	var cfg loadgen.Config
	var clip loadgen.ClipOptions
	var tokens, data, clipDir, pacing string
	var invite int
	var asJSON bool
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "the server's base URL; loopback only")
	fs.StringVar(&tokens, "tokens", "", "file of invitation tokens, one a line (written by -invite; read otherwise)")
	fs.IntVar(&cfg.N, "n", 10, fmt.Sprintf("number of candidates, at most %d", loadgen.MaxPeers))
	fs.DurationVar(&cfg.TakeDuration, "duration", 10*time.Second, "length of each take")
	fs.DurationVar(&cfg.Gap, "gap", time.Second, "pause between takes")
	fs.DurationVar(&cfg.Hold, "hold", time.Minute, fmt.Sprintf("how long to go on once all are connected, at most %v", loadgen.MaxHold))
	fs.Float64Var(&cfg.Ramp, "ramp", 10, "candidates started per second")
	fs.StringVar(&pacing, "pacing", string(loadgen.PacingShared), "shared (a few goroutines pace every candidate) or ticker (a goroutine per candidate)")
	fs.StringVar(&clip.Codec, "codec", "vp8", "video codec: vp8 or vp9")
	fs.IntVar(&clip.Bitrate, "bitrate", 1_500_000, "video bits per second")
	fs.IntVar(&clip.Width, "width", 640, "picture width")
	fs.IntVar(&clip.Height, "height", 480, "picture height")
	fs.StringVar(&clipDir, "clip-dir", filepath.Join(os.TempDir(), "takes-loadgen"), "where the clip is made and kept")
	fs.StringVar(&data, "data", "", "with -invite: the server's data directory")
	fs.IntVar(&invite, "invite", 0, "create this many invitations in -data and exit")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("loadgen: unexpected argument %q", fs.Arg(0))
	}
	if invite > 0 {
		return invitations(data, invite, tokens, stdout)
	}
	var err error
	if cfg.Tokens, err = readTokens(tokens); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.Clip, err = loadgen.MakeClip(ctx, clipDir, clip); err != nil {
		return err
	}
	cfg.Pacing = loadgen.Pacing(pacing)
	cfg.OnPhase = func(p loadgen.Phase) { fmt.Fprintf(stderr, "%s  %s\n", time.Now().Format("15:04:05"), p) }
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	return printReport(stdout, rep, asJSON)
}

// invitations creates n invitations in the data directory and writes their tokens.
func invitations(data string, n int, tokens string, stdout io.Writer) error {
	if data == "" {
		return errors.New("loadgen: -invite needs -data")
	}
	invs, err := loadgen.Prepare(data, n)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, inv := range invs {
		fmt.Fprintln(&b, inv.Token)
	}
	if tokens == "" {
		_, err = io.WriteString(stdout, b.String())
		return err
	}
	return os.WriteFile(tokens, []byte(b.String()), 0o600)
}

func readTokens(path string) ([]string, error) {
	if path == "" {
		return nil, errors.New("loadgen: -tokens is required (make them with -data DIR -invite N)")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			out = append(out, t)
		}
	}
	return out, sc.Err()
}

// printReport prints what the run sent and what the server answered.
func printReport(w io.Writer, rep *loadgen.Report, asJSON bool) error {
	s := rep.Summary()
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Summary loadgen.Summary
			Peers   []loadgen.PeerReport
		}{s, rep.Peers})
	}
	fmt.Fprintf(w, "peers %d (connected %d, failed %d), held %v\n", s.Peers, s.Connected, s.Failed,
		rep.Drain.Sub(rep.Steady).Round(time.Second))
	fmt.Fprintf(w, "takes %d (%d refused or failed)\n", s.Takes, s.TakeErrors)
	fmt.Fprintf(w, "sent %d video frames (%d skipped), %d audio packets, %d RTP packets, %.2f Mbit/s per peer\n",
		s.VideoFrames, s.Skipped, s.AudioPackets, s.Packets, s.MbpsPerPeer)
	fmt.Fprintf(w, "heard %d PLIs, %d NACKed packets; receivers report %d lost\n", s.PLIs, s.NACKed, s.LostReported)
	fmt.Fprintf(w, "record→recording p50 %.0f ms, p99 %.0f ms; stop→saved p50 %.0f ms, p99 %.0f ms\n",
		s.RecordingP50, s.RecordingP99, s.StopSavedP50, s.StopSavedP99)
	for _, e := range s.Errors {
		fmt.Fprintln(w, "error:", e)
	}
	return nil
}
