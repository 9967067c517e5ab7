// Package app wires Takes together from its Config: the record store, the media
// files, the recorder, signaling and the web server. main and the end-to-end tests
// both build the product through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/takes/takes/recorder"
	"github.com/takes/takes/signaling"
	"github.com/takes/takes/storage"
	"github.com/takes/takes/web"
)

// Config is every setting of the server.
type Config struct {
	Addr      string // listen address, host:port
	DataDir   string // holds takes.db and media/
	PublicURL string // the base URL in links; derived from Addr when empty
	// Demo creates a demo interview and invitation when the store has no interview.
	Demo     bool
	Recorder recorder.Config
	Logger   *slog.Logger
	// DebugAddr, when set, is a loopback address on which the binary serves Go's profiles,
	// memory statistics and goroutine count, for measurements; App itself does not use it.
	DebugAddr string

	// PasswordCost is the bcrypt cost of recruiters' passwords; 0 means storage.PasswordCost.
	PasswordCost int
}

// App is a running Takes: open store and files, and the HTTP handler.
type App struct {
	cfg    Config
	log    *slog.Logger
	db     *storage.DB
	disk   *storage.Disk
	media  storage.Media
	eng    *recorder.Engine
	ws     *signaling.Handler
	cancel context.CancelFunc
	http   http.Handler

	// background runs the jobs of startBackground; Close waits for them.
	background sync.WaitGroup
	hooks      atomic.Pointer[webhookQueue] // see webhook.go
	closeOnce  sync.Once
	closeErr   error
}

// New opens the data directory and builds the server. Close releases it.
func New(cfg Config) (*App, error) {
	return build(cfg, nil)
}

// build is New with a way for tests to wrap the media store (to inject faults).
func build(cfg Config, wrapMedia func(storage.Media) storage.Media) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Recorder.Logger = cfg.Logger
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	db, err := storage.Open(filepath.Join(cfg.DataDir, "takes.db"))
	if err != nil {
		return nil, err
	}
	disk, err := storage.OpenDisk(filepath.Join(cfg.DataDir, "media"))
	if err != nil {
		db.Close()
		return nil, err
	}
	eng, err := recorder.NewEngine(cfg.Recorder)
	if err != nil {
		db.Close()
		disk.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var media storage.Media = disk
	if wrapMedia != nil {
		media = wrapMedia(disk)
	}
	a := &App{cfg: cfg, log: cfg.Logger, db: db, disk: disk, media: media, eng: eng, cancel: cancel}
	a.ws = signaling.NewHandler(ctx, db, media, eng, cfg.Logger, signaling.Options{Submitted: a.submitted})
	hs := web.Handlers{Candidate: a.ws, QuestionRecorder: a.questionRecorder(ctx), EndCandidate: a.ws.End}
	srv, err := web.NewServer(db, media, hs, cfg.Logger, web.AuthConfig{PublicURL: cfg.PublicURL, PasswordCost: cfg.PasswordCost})
	if err != nil {
		a.Close()
		return nil, err
	}
	a.http = srv.Handler()
	if err := a.recoverTakes(); err != nil {
		a.Close()
		return nil, fmt.Errorf("recovering takes: %w", err)
	}
	a.startBackground(ctx)
	return a, nil
}

// Handler returns the HTTP handler of every route.
func (a *App) Handler() http.Handler { return a.http }

// DB returns the record store.
func (a *App) DB() *storage.DB { return a.db }

// Close ends every candidate connection, saving takes in progress as drafts, then
// closes the files. Call it after the HTTP server has stopped taking requests.
// Closing twice is harmless.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		a.cancel()
		a.ws.Wait()
		a.background.Wait()
		a.eng.Close()
		a.closeErr = errors.Join(a.disk.Close(), a.db.Close())
	})
	return a.closeErr
}

// DemoLink returns the candidate link of the demo interview, creating the interview
// and its invitation first if the store has no interview at all.
func (a *App) DemoLink(base string) (string, error) {
	ivs, err := a.db.Interviews()
	if err != nil {
		return "", err
	}
	if len(ivs) == 0 {
		iv := storage.Interview{
			Title:   "Demo interview",
			Welcome: "Thank you for your interest. This interview has three short questions; answer each on video, in your own time.",
			Questions: []storage.Question{
				{Text: "Tell us about yourself and what brings you here.", TimeLimit: 2 * time.Minute},
				{Text: "Describe a problem you solved that you are proud of. What made it hard?", TimeLimit: 3 * time.Minute, RetakeLimit: 2},
				{Text: "What would you like to learn in your next role?", TimeLimit: time.Minute, Optional: true},
			},
		}
		if err := a.db.CreateInterview(&iv); err != nil {
			return "", err
		}
		ivs = append(ivs, iv)
	}
	slices.SortFunc(ivs, func(x, y storage.Interview) int { return x.CreatedAt.Compare(y.CreatedAt) })
	invs, err := a.db.Invitations(ivs[0].ID)
	if err != nil {
		return "", err
	}
	if len(invs) == 0 {
		inv := storage.Invitation{InterviewID: ivs[0].ID, Name: "Demo candidate"}
		if err := a.db.CreateInvitation(&inv); err != nil {
			return "", err
		}
		invs = append(invs, inv)
	}
	return fmt.Sprintf("%s/i/%s", base, invs[0].Token), nil
}
