package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/takes/takes/internal/loadgen"
	"github.com/takes/takes/internal/loadgen/bench"
)

// benchCmd measures the server under load: `make bench` runs it.
func benchCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.Config
	var steps, pacing string
	fs.StringVar(&cfg.Bin, "bin", "", "the takes binary to run as the server; this one when empty")
	var serverArgs string
	fs.StringVar(&serverArgs, "server-args", env("BENCH_SERVER_ARGS", ""), "more arguments for the server's serve command, space-separated, e.g. \"-udp-mux 127.0.0.1:0\" (BENCH_SERVER_ARGS)")
	fs.StringVar(&steps, "steps", env("BENCH_STEPS", "1,25,100,200,300,400"), "numbers of candidates, in order; the bench stops at the first that fails (BENCH_STEPS)")
	fs.DurationVar(&cfg.Hold, "hold", envDuration("BENCH_HOLD", time.Minute), "how long each step holds all its candidates (BENCH_HOLD)")
	fs.DurationVar(&cfg.TakeDuration, "duration", 10*time.Second, "length of each take")
	fs.Float64Var(&cfg.Ramp, "ramp", 20, "candidates connected per second")
	fs.StringVar(&pacing, "pacing", string(loadgen.PacingShared), "the generator's pacing: shared or ticker")
	fs.StringVar(&cfg.Clip.Codec, "codec", "vp8", "video codec: vp8 or vp9")
	fs.IntVar(&cfg.Clip.Bitrate, "bitrate", 1_500_000, "video bits per second")
	fs.StringVar(&cfg.OutDir, "out", "bench-results", "where the results go")
	fs.StringVar(&cfg.ClipDir, "clip-dir", filepath.Join(os.TempDir(), "takes-loadgen"), "where the clip is made and kept")
	fs.IntVar(&cfg.ProfileAt, "profile-at", 100, "take the server's CPU profile at this number of candidates; 0 for none")
	fs.DurationVar(&cfg.Budget, "budget", envDuration("BENCH_BUDGET", 18*time.Minute), "leave out steps that would end after this (BENCH_BUDGET)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep each step's data directory")
	fs.DurationVar(&cfg.QuietWait, "quiet-wait", 2*time.Minute, "how long a step may wait for other programs to leave the machine")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.ServerArgs = strings.Fields(serverArgs)
	var err error
	if cfg.Steps, err = parseSteps(steps); err != nil {
		return err
	}
	if cfg.Bin == "" {
		if cfg.Bin, err = os.Executable(); err != nil {
			return err
		}
	}
	cfg.Pacing = loadgen.Pacing(pacing)
	cfg.Progress = stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := bench.Run(ctx, cfg)
	if res != nil {
		m := res.Machine
		fmt.Fprintf(stdout, "\n%s — %s, %d CPUs (%s), %d MiB; %s\n", res.Date.Format(time.RFC3339), m.Uname, m.CPUs, m.CPUModel, m.MemoryMiB, m.GoVersion)
		fmt.Fprintf(stdout, "%s %dx%d %d fps %d kbit/s + Opus; takes of %v; hold %v per step; %s pacing\n\n",
			res.Config.Codec, res.Config.Width, res.Config.Height, res.Config.FPS, res.Config.BitrateKb,
			cfg.TakeDuration, cfg.Hold, res.Config.Pacing)
		bench.PrintTable(stdout, res.Steps)
		if res.Stopped != "" {
			fmt.Fprintln(stdout, "stopped:", res.Stopped)
		}
		if res.Profile != "" {
			fmt.Fprintf(stdout, "CPU profile: go tool pprof -top %s\n", res.Profile)
		}
	}
	return err
}

func parseSteps(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > loadgen.MaxPeers {
			return nil, fmt.Errorf("bench: bad step %q (want numbers from 1 to %d)", f, loadgen.MaxPeers)
		}
		out = append(out, n)
	}
	return out, nil
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}
