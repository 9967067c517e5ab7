// Package bench measures what recording costs a Takes server: for each number of candidates N it starts
// a fresh server as a child process, runs the load generator against it, samples the server's process
// from /proc, then stops it and judges every file it saved. It stops at the first N that loses anything.
package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/takes/takes/internal/loadgen"
)

// Config is one bench.
type Config struct {
	// Bin is the takes binary to run as the server; ServerArgs are added to its
	// serve command (e.g. -udp-mux 127.0.0.1:0).
	Bin        string
	ServerArgs []string
	// Steps are the numbers of candidates, in order.
	Steps []int
	// Hold is how long each step holds all its candidates; TakeDuration the length of a take.
	Hold, TakeDuration time.Duration
	// Ramp is how many candidates connect per second.
	Ramp float64
	// Pacing is the generator's pacing.
	Pacing loadgen.Pacing
	// Clip is the clip the candidates send.
	Clip loadgen.ClipOptions
	// OutDir receives the results (JSON, CPU profile, server logs); ClipDir caches the clip.
	OutDir, ClipDir string
	// ProfileAt is the step at which the server's CPU profile is taken; 0 for none.
	ProfileAt int
	// Budget is the time the whole bench may take: a step expected to end later is not started.
	Budget time.Duration
	// Keep keeps each step's data directory (its media can be several GB).
	Keep bool
	// QuietWait is how long a step may wait, before it starts, for other programs to leave the machine
	// (to use less than a tenth of it); 0 for no wait.
	QuietWait time.Duration
	// Progress receives a line per stage.
	Progress io.Writer
}

// Results are a bench's figures, as written to its JSON file.
type Results struct {
	Date    time.Time `json:"date"`
	Machine Machine   `json:"machine"`
	Config  struct {
		Steps          []int   `json:"steps"`
		HoldS          float64 `json:"holdS"`
		TakeS          float64 `json:"takeS"`
		Ramp           float64 `json:"rampPerS"`
		Pacing         string  `json:"pacing"`
		Codec          string  `json:"codec"`
		Width, Height  int
		FPS, BitrateKb int
	} `json:"config"`
	Steps   []Step `json:"steps"`
	Stopped string `json:"stopped,omitempty"` // why steps were left out
	Profile string `json:"profile,omitempty"` // the CPU profile's file
}

// Run runs the bench and writes its results under cfg.OutDir.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	begin := time.Now()
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, err
	}
	res := &Results{Date: begin.UTC(), Machine: describeMachine()}
	res.fillConfig(cfg)
	stamp := begin.Format("2006-01-02-150405")
	clip, err := loadgen.MakeClip(ctx, cfg.ClipDir, cfg.Clip)
	if err != nil {
		return nil, err
	}
	b := &bench{cfg: cfg, clip: clip, stamp: stamp}
	var lastJudge time.Duration
	lastN := 1
	for _, n := range cfg.Steps {
		est := b.estimate(n, lastJudge*time.Duration(n)/time.Duration(lastN))
		if left := cfg.Budget - time.Since(begin); cfg.Budget > 0 && est > left {
			res.Stopped = fmt.Sprintf("N=%d left out: it would take about %v, and %v of the budget is left", n, est.Round(time.Second), left.Round(time.Second))
			break
		}
		st, err := b.step(ctx, n)
		if err == nil && !st.Pass && st.OtherPct > contended && time.Since(begin)+est < cfg.Budget {
			// Other programs took a share of the machine: the step is run again once.
			first := fmt.Sprintf("a first run failed (%s) while other programs used %.0f%% of the machine",
				strings.Join(st.Why, "; "), st.OtherPct)
			b.logf("N=%d: %s; running it again", n, first)
			if st, err = b.step(ctx, n); err == nil {
				st.Retried = first
			}
		}
		if err != nil {
			return res, errors.Join(err, res.write(cfg.OutDir, stamp))
		}
		if st.Profile != "" {
			res.Profile = st.Profile
		}
		res.Steps = append(res.Steps, st)
		printStep(cfg.Progress, st)
		lastJudge, lastN = time.Duration(st.JudgeS*float64(time.Second)), n
		if !st.Pass {
			res.Stopped = fmt.Sprintf("N=%d failed: %s", n, strings.Join(st.Why, "; "))
			break
		}
	}
	return res, res.write(cfg.OutDir, stamp)
}

func (r *Results) fillConfig(cfg Config) {
	c := &r.Config
	c.Steps, c.HoldS, c.TakeS, c.Ramp = cfg.Steps, cfg.Hold.Seconds(), cfg.TakeDuration.Seconds(), cfg.Ramp
	c.Pacing = string(cmp.Or(cfg.Pacing, loadgen.PacingShared))
	o := cfg.Clip
	c.Codec, c.Width, c.Height, c.FPS, c.BitrateKb = cmp.Or(o.Codec, "vp8"), cmp.Or(o.Width, 640), cmp.Or(o.Height, 480),
		cmp.Or(o.FPS, 30), cmp.Or(o.Bitrate, 1_500_000)/1000
}

// write writes the results as JSON to dir/<stamp>.json.
func (r *Results) write(dir, stamp string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, stamp+".json"), append(data, '\n'), 0o644)
}

// contended is the share of the machine (percent) other programs must take during a failed step for
// the step to be run again.
const contended = 10

type bench struct {
	cfg   Config
	clip  loadgen.Clip
	stamp string
}

// estimate guesses how long a step takes, from the previous step's judging time scaled to n.
func (b *bench) estimate(n int, judging time.Duration) time.Duration {
	ramp := time.Duration(float64(n) / b.cfg.Ramp * float64(time.Second))
	prepare := time.Duration(n) * 15 * time.Millisecond
	return prepare + ramp + b.cfg.Hold + b.cfg.TakeDuration + judging + 15*time.Second
}

func (b *bench) logf(format string, args ...any) {
	if b.cfg.Progress != nil {
		fmt.Fprintf(b.cfg.Progress, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
}

// step runs one N: fresh data, a server, the generator, the verdict.
func (b *bench) step(ctx context.Context, n int) (Step, error) {
	waited := b.waitQuiet(ctx)
	dir, err := os.MkdirTemp("", fmt.Sprintf("takes-bench-%d-", n))
	if err != nil {
		return Step{}, err
	}
	if !b.cfg.Keep {
		defer os.RemoveAll(dir)
	}
	b.logf("N=%d: preparing %d invitations in %s", n, n, dir)
	invs, err := loadgen.Prepare(dir, n)
	if err != nil {
		return Step{}, err
	}
	logPath := filepath.Join(b.cfg.OutDir, fmt.Sprintf("%s-server-N%d.log", b.stamp, n))
	srv, err := startServer(ctx, b.cfg.Bin, dir, logPath, b.cfg.ServerArgs)
	if err != nil {
		return Step{}, err
	}
	m := &meter{srv: srv}
	if err := m.idle(ctx); err != nil {
		srv.stop()
		return Step{}, err
	}
	st := Step{N: n}
	var profileWG sync.WaitGroup
	defer profileWG.Wait()
	rep, err := b.generate(ctx, n, srv, invs, m, func() {
		d := min(30*time.Second, b.cfg.Hold-5*time.Second)
		if n != b.cfg.ProfileAt || d < 5*time.Second {
			return
		}
		path := filepath.Join(b.cfg.OutDir, fmt.Sprintf("%s-cpu-N%d.pprof", b.stamp, n))
		genPath := filepath.Join(b.cfg.OutDir, fmt.Sprintf("%s-cpu-generator-N%d.pprof", b.stamp, n))
		profileWG.Add(2)
		go func() {
			defer profileWG.Done()
			if err := srv.profile(ctx, d, path); err != nil {
				b.logf("N=%d: CPU profile: %v", n, err)
				return
			}
			st.Profile = path
			b.logf("N=%d: the server's CPU profile of %v is in %s", n, d, path)
		}()
		go func() {
			defer profileWG.Done()
			if err := profileSelf(ctx, d, genPath); err != nil {
				b.logf("N=%d: generator CPU profile: %v", n, err)
			}
		}()
	})
	profileWG.Wait()
	stopTime, stopErr := srv.stop()
	if err != nil {
		return Step{}, err
	}
	b.logf("N=%d: server stopped in %v; judging the files", n, stopTime.Round(time.Millisecond))
	judgeStart := time.Now()
	v, err := judge(ctx, dir, invs, rep, runtime.NumCPU())
	if err != nil {
		return Step{}, err
	}
	st.fill(rep, m, v)
	st.JudgeS = time.Since(judgeStart).Seconds()
	st.WaitedS = waited.Seconds()
	if stopErr != nil {
		st.fail("server: %v", stopErr)
	}
	b.logf("N=%d: judged %d files in %.0f s", n, v.Decoded, st.JudgeS)
	return st, nil
}

// generate runs the load generator against the server, metering the server across the phases.
func (b *bench) generate(ctx context.Context, n int, srv *server, invs []loadgen.Invitation, m *meter, onSteady func()) (*loadgen.Report, error) {
	tokens := make([]string, len(invs))
	for i, inv := range invs {
		tokens[i] = inv.Token
	}
	sampling, stopSampling := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.sample(sampling)
	}()
	defer func() {
		stopSampling()
		wg.Wait()
	}()
	b.logf("N=%d: ramping up at %.0f/s, then holding %v", n, b.cfg.Ramp, b.cfg.Hold)
	return loadgen.Run(ctx, loadgen.Config{
		URL: srv.URL, Tokens: tokens, N: n, TakeDuration: b.cfg.TakeDuration, Hold: b.cfg.Hold,
		Ramp: b.cfg.Ramp, Clip: b.clip, Pacing: b.cfg.Pacing,
		OnPhase: func(p loadgen.Phase) {
			m.phase(ctx, p)
			switch p {
			case loadgen.PhaseSteady:
				b.logf("N=%d: all connected; holding", n)
				onSteady()
			case loadgen.PhaseDrain:
				b.logf("N=%d: hold over; the takes in progress run to their end", n)
			}
		},
	})
}

// runOutput runs a program and returns its standard output.
func runOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}

// profileSelf takes a CPU profile of this process, the generator, for d.
func profileSelf(ctx context.Context, d time.Duration, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	pprof.StopCPUProfile()
	return nil
}

// waitQuiet waits, at most QuietWait, until other programs use less than a tenth of the machine over
// three seconds, and returns how long it waited. The bench itself is idle meanwhile.
func (b *bench) waitQuiet(ctx context.Context) time.Duration {
	start := time.Now()
	told := false
	for time.Since(start) < b.cfg.QuietWait {
		t0, err := sampleMachine()
		select {
		case <-time.After(3 * time.Second):
		case <-ctx.Done():
			return time.Since(start)
		}
		t1, err1 := sampleMachine()
		if err != nil || err1 != nil || t1.Total <= t0.Total {
			break
		}
		busy := 100 * (t1.Busy - t0.Busy) / (t1.Total - t0.Total)
		if busy < contended {
			break
		}
		if !told {
			told = true
			b.logf("waiting up to %v for other programs to leave the machine (they use %.0f%% of it)", b.cfg.QuietWait, busy)
		}
	}
	return time.Since(start)
}
