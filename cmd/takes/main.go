// Command takes is the Takes server and its administration tool.
//
//	takes serve [flags]     run the server
//	takes user add|list     add or list recruiters' accounts (with the server stopped)
//	takes loadgen [flags]   play many candidates against a server on loopback
//	takes bench [flags]     measure the server under load (make bench)
//	takes version           print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/takes/takes/internal/app"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "takes:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stdout, stderr)
	case "user":
		return userCmd(args, stdout, stderr)
	case "loadgen":
		return loadgenCmd(args, stdout, stderr)
	case "bench":
		return benchCmd(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "takes", version)
		return nil
	case "help":
		fmt.Fprintln(stdout, "usage: takes serve [flags] | takes user add|list [flags] | takes loadgen|bench [flags] | takes version\nRun 'takes serve -h' for the server's flags.")
		return nil
	}
	return fmt.Errorf("unknown command %q (try 'takes help')", cmd)
}

// parseServe fills the server's Config from flags, each with a TAKES_* environment fallback.
func parseServe(args []string, stderr io.Writer) (app.Config, string, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg app.Config
	var logLevel string
	var udpMin, udpMax uint
	fs.StringVar(&cfg.Addr, "addr", env("TAKES_ADDR", "127.0.0.1:8080"), "listen address (TAKES_ADDR)")
	fs.StringVar(&cfg.DataDir, "data", env("TAKES_DATA", "./data"), "data directory: database and media (TAKES_DATA)")
	fs.StringVar(&cfg.PublicURL, "public-url", env("TAKES_PUBLIC_URL", ""), "base URL used in links, e.g. https://takes.example.com (TAKES_PUBLIC_URL)")
	fs.BoolVar(&cfg.Demo, "demo", envBool("TAKES_DEMO", true), "create a demo interview on first start (TAKES_DEMO)")
	fs.BoolVar(&cfg.Recorder.LoopbackOnly, "ice-loopback-only", envBool("TAKES_ICE_LOOPBACK_ONLY", false), "use only loopback addresses for media, for local testing (TAKES_ICE_LOOPBACK_ONLY)")
	fs.UintVar(&udpMin, "udp-port-min", uint(envInt("TAKES_UDP_PORT_MIN", 0)), "lowest UDP port for media; 0 for any (TAKES_UDP_PORT_MIN)")
	fs.UintVar(&udpMax, "udp-port-max", uint(envInt("TAKES_UDP_PORT_MAX", 0)), "highest UDP port for media; 0 for any (TAKES_UDP_PORT_MAX)")
	fs.StringVar(&cfg.Recorder.UDPMux, "udp-mux", env("TAKES_UDP_MUX", ""), "one IPv4 address:port on which all media arrives, read in batches (e.g. 203.0.113.7:8443); empty for a port per candidate (TAKES_UDP_MUX)")
	fs.IntVar(&cfg.PasswordCost, "password-cost", envInt("TAKES_PASSWORD_COST", 0), "bcrypt cost of recruiters' password hashes; 0 for the default, 12 (TAKES_PASSWORD_COST)")
	fs.StringVar(&cfg.DebugAddr, "debug-addr", env("TAKES_DEBUG_ADDR", ""), "loopback address for Go's profiles, memory statistics and goroutine count (/debug/pprof/, /debug/vars, /debug/goroutines), for measurements; empty for none (TAKES_DEBUG_ADDR)")
	fs.StringVar(&logLevel, "log-level", env("TAKES_LOG_LEVEL", "info"), "debug, info, warn or error (TAKES_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	if fs.NArg() > 0 {
		return cfg, "", fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if udpMin > 65535 || udpMax > 65535 || udpMin > udpMax {
		return cfg, "", errors.New("serve: bad UDP port range")
	}
	cfg.Recorder.UDPPortMin, cfg.Recorder.UDPPortMax = uint16(udpMin), uint16(udpMax)
	return cfg, logLevel, nil
}

func serve(args []string, stdout, stderr io.Writer) error {
	cfg, logLevel, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("serve: log level: %w", err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	a, err := app.New(cfg)
	if err != nil {
		ln.Close()
		return err
	}
	base := strings.TrimSuffix(cfg.PublicURL, "/")
	if base == "" {
		base = "http://" + browsable(ln.Addr())
	}
	fmt.Fprintf(stdout, "Takes %s is listening on %s (data in %s)\n", version, base, cfg.DataDir)
	if cfg.Demo {
		link, err := a.DemoLink(base)
		if err != nil {
			a.Close()
			ln.Close()
			return err
		}
		fmt.Fprintf(stdout, "Demo candidate link: %s\n", link)
	}
	if err := printFirstAdmin(a, base, stdout); err != nil {
		a.Close()
		ln.Close()
		return err
	}

	stopDebug, err := serveDebug(cfg.DebugAddr, stdout)
	if err != nil {
		a.Close()
		ln.Close()
		return err
	}
	defer stopDebug()

	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		cfg.Logger.Info("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(shutdownCtx)
	if cerr := a.Close(); cerr != nil {
		cfg.Logger.Error("closing", slog.Any("err", cerr))
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// printFirstAdmin creates the first recruiter account when there is none, and
// prints how to sign in with it: this is the only time its password is shown.
func printFirstAdmin(a *app.App, base string, stdout io.Writer) error {
	email, password, created, err := a.EnsureAdmin()
	if err != nil || !created {
		return err
	}
	fmt.Fprintf(stdout, "Recruiter sign-in: %s/login — %s / %s (change it after signing in)\n", base, email, password)
	return nil
}

// browsable turns a listen address into one a browser can open: an unspecified
// host becomes 127.0.0.1, which browsers treat as a secure context.
func browsable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
