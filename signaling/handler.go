// Package signaling serves the candidate's WebSocket: WebRTC signaling and the
// recording commands, tying a recorder session to the interview's records and files.
package signaling

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// Store is what signaling needs of the record store.
type Store interface {
	InvitationByToken(token string) (*storage.Invitation, error)
	Interview(id string) (*storage.Interview, error)
	MarkOpened(invitationID string) (*storage.Invitation, error)
	AcceptPrivacy(invitationID string) (*storage.Invitation, error)
	SaveDetails(invitationID string, details map[string]string) (*storage.Invitation, error)
	Submit(iv *storage.Interview, invitationID string) (*storage.Invitation, error)
	CurrentTakes(invitationID string) (map[string]storage.Take, error)
	RetakesUsed(invitationID string) (map[string]int, error)
	BeginTakeWithin(inv *storage.Invitation, question string, limit int) (storage.Take, error)
	ReplaceTake(inv *storage.Invitation, question string, limit int) (old, next storage.Take, err error)
	RemoveTake(inv *storage.Invitation, question string) (storage.Take, error)
	FinishTake(k storage.TakeKey, f storage.Finish) (storage.Take, error)
	DeleteTake(k storage.TakeKey) error
}

// Recorder makes a recorder session per connection.
type Recorder interface {
	NewSession(opts recorder.SessionOptions) (*recorder.Session, error)
}

// Options tune the protocol's limits. Zero values take the defaults.
type Options struct {
	MaxMessage   int64         // default 64 KiB
	PingInterval time.Duration // default 20 s
	PongWait     time.Duration // default 45 s
	WriteWait    time.Duration // default 10 s

	// Submitted, when set, is called (on the connection's goroutine) after a
	// candidate's answers were submitted; it must not block.
	Submitted func(iv *storage.Interview, inv *storage.Invitation)
}

// Handler serves GET /ws/{token}.
type Handler struct {
	store    Store
	media    storage.Media
	rec      Recorder
	log      *slog.Logger
	opts     Options
	upgrader websocket.Upgrader

	ctx   context.Context // ends every connection when cancelled
	conns sync.WaitGroup

	mu   sync.Mutex
	live map[string]*liveConn // by invitation ID: one connection per candidate
}

// liveConn is a running connection, as another connection of the same candidate sees it.
type liveConn struct {
	cancel context.CancelCauseFunc
	done   chan struct{}
}

// errReplaced ends a connection when the same candidate connects again (a reload,
// a reconnection, a second window).
var errReplaced = errors.New("signaling: the candidate connected again")

// takeOver registers a new connection of an invitation and ends the previous one,
// waiting until it has finished its take, so the new connection sees every take.
func (h *Handler) takeOver(invitationID string, lc *liveConn) {
	h.mu.Lock()
	prev := h.live[invitationID]
	h.live[invitationID] = lc
	h.mu.Unlock()
	if prev == nil {
		return
	}
	prev.cancel(errReplaced)
	select {
	case <-prev.done:
	case <-time.After(10 * time.Second):
		h.log.Warn("the previous connection did not end in time", slog.String("invitation", invitationID))
	}
}

// errWithdrawn ends a connection whose link a recruiter revoked, or whose
// candidate they deleted.
var errWithdrawn = errors.New("signaling: the invitation was withdrawn")

// End ends the candidate's live connection, if any, and waits (at most 10 s) until
// its take in progress is saved: for a revoked link, or before the candidate's
// records and files are deleted. The page is told the link was withdrawn.
func (h *Handler) End(invitationID string) {
	h.mu.Lock()
	lc := h.live[invitationID]
	h.mu.Unlock()
	if lc == nil {
		return
	}
	lc.cancel(errWithdrawn)
	select {
	case <-lc.done:
	case <-time.After(10 * time.Second):
		h.log.Warn("a withdrawn connection did not end in time", slog.String("invitation", invitationID))
	}
}

func (h *Handler) leave(invitationID string, lc *liveConn) {
	h.mu.Lock()
	if h.live[invitationID] == lc {
		delete(h.live, invitationID)
	}
	h.mu.Unlock()
	close(lc.done)
}

// NewHandler returns the WebSocket handler. Connections end when ctx is cancelled;
// Wait then waits for them to finish their takes.
func NewHandler(ctx context.Context, store Store, media storage.Media, rec Recorder, log *slog.Logger, opts Options) *Handler {
	if opts.MaxMessage <= 0 {
		opts.MaxMessage = 64 << 10
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 20 * time.Second
	}
	if opts.PongWait <= 0 {
		opts.PongWait = 45 * time.Second
	}
	if opts.WriteWait <= 0 {
		opts.WriteWait = 10 * time.Second
	}
	return &Handler{
		store: store, media: media, rec: rec, log: log, opts: opts, ctx: ctx, live: make(map[string]*liveConn),
		upgrader: websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096},
	}
}

// ServeHTTP authenticates the token in the path, upgrades, and runs the connection.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	inv, iv, err := h.lookup(token)
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			h.log.Error("looking up invitation", slog.Any("err", err))
		}
		http.Error(w, "unknown invitation link", http.StatusNotFound)
		return
	}
	if inv.Revoked() {
		http.Error(w, "this interview link was withdrawn", http.StatusGone)
		return
	}
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.log.Info("websocket upgrade failed", slog.Any("err", err))
		return // the upgrader has answered the request
	}
	h.conns.Add(1)
	defer h.conns.Done()
	ctx, cancel := context.WithCancelCause(h.ctx)
	defer cancel(nil)
	lc := &liveConn{cancel: cancel, done: make(chan struct{})}
	h.takeOver(inv.ID, lc)
	defer h.leave(inv.ID, lc)
	c := newConn(h, ws, inv, iv, token)
	c.run(ctx)
}

func (h *Handler) lookup(token string) (*storage.Invitation, *storage.Interview, error) {
	if !storage.ValidToken(token) {
		return nil, nil, storage.ErrNotFound
	}
	inv, err := h.store.InvitationByToken(token)
	if err != nil {
		return nil, nil, err
	}
	iv, err := h.store.Interview(inv.InterviewID)
	if err != nil {
		return nil, nil, err
	}
	return inv, iv, nil
}

// Wait waits for every connection to end, after the handler's context is cancelled.
func (h *Handler) Wait() {
	h.conns.Wait()
}
