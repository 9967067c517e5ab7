package testpeer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Event is one message from the server, other than the signaling messages (answer and candidate) that the
// peer applies itself. The common fields of the protocol's events are decoded; Raw holds the whole message.
type Event struct {
	Type       string `json:"type"`
	Question   string `json:"question,omitempty"`
	Take       int    `json:"take,omitempty"`
	DurationMs int64  `json:"durationMs,omitempty"`
	Bytes      int64  `json:"bytes,omitempty"`
	URL        string `json:"url,omitempty"`
	Reason     string `json:"reason,omitempty"` // of a saved take: stop, limit or cut
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	Request    string `json:"request,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// Welcome is the server's first message.
type Welcome struct {
	Interview Interview  `json:"interview"`
	Questions []Question `json:"questions"`

	Raw json.RawMessage `json:"-"`
}

// Interview identifies the interview in Welcome.
type Interview struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Question is one question of Welcome; Take is nil when the question has no answer yet.
type Question struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Take *Take  `json:"take,omitempty"`
}

// Take is the current take of a question, as Welcome describes it.
type Take struct {
	N          int    `json:"n"`
	State      string `json:"state"` // "draft" or "submitted"
	DurationMs int64  `json:"durationMs"`
	Bytes      int64  `json:"bytes"`
	URL        string `json:"url"`
}

// ServerError is an `error` event of the server, returned as an error by WaitFor.
type ServerError struct {
	Code    string
	Message string
	Request string // the type of the refused message, when the server says
}

// Error implements error.
func (e *ServerError) Error() string {
	return fmt.Sprintf("testpeer: server error %q (request %q): %s", e.Code, e.Request, e.Message)
}

// Errors of a Peer whose connections are closed.
var (
	// ErrSignalingClosed is returned by Send and its kin once the WebSocket is closed, by either side.
	ErrSignalingClosed = errors.New("testpeer: signaling socket closed")
	// ErrPeerClosed is returned by ConnectedMedia once the peer connection is closed.
	ErrPeerClosed = errors.New("testpeer: peer connection closed")
)

// eventQueue holds the server's events until the test takes them. It is unbounded so that the reader
// goroutine never waits on a test that does not read.
type eventQueue struct {
	mu      sync.Mutex
	events  []queued
	err     error         // why no more events will come; nil while the socket is open
	changed chan struct{} // closed and replaced at every change, to wake all waiters
}

// queued is one event, with the error that came with it (an undecodable message).
type queued struct {
	ev  Event
	err error
}

func newEventQueue() *eventQueue {
	return &eventQueue{changed: make(chan struct{})}
}

// push adds an event and wakes the waiters.
func (q *eventQueue) push(ev Event, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.events = append(q.events, queued{ev, err})
	q.wake()
}

// end records that no more events will come, and why.
func (q *eventQueue) end(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err == nil {
		q.err = err
		q.wake()
	}
}

// wake tells waiters that the queue changed. q.mu must be held.
func (q *eventQueue) wake() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// wait removes and returns the first event that pick chooses, waiting for one until ctx is done. Once the
// queue has ended and holds no chosen event, it returns the reason it ended.
func (q *eventQueue) wait(ctx context.Context, pick func(Event) bool) (Event, error) {
	for {
		q.mu.Lock()
		if i := slices.IndexFunc(q.events, func(e queued) bool { return pick(e.ev) || e.err != nil }); i >= 0 {
			e := q.events[i]
			q.events = slices.Delete(q.events, i, i+1)
			q.mu.Unlock()
			return e.ev, e.err
		}
		end, changed := q.err, q.changed
		q.mu.Unlock()
		if end != nil {
			return Event{}, end
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Event{}, fmt.Errorf("testpeer: waiting for an event: %w", context.Cause(ctx))
		}
	}
}

// Next returns the next event from the server, waiting for one until ctx is done. After the socket closed
// and the events that came before were taken, it returns the error that closed it (wrapping a
// *websocket.CloseError when the server closed it properly).
func (p *Peer) Next(ctx context.Context) (Event, error) {
	return p.events.wait(ctx, func(Event) bool { return true })
}

// WaitFor returns the next event of the given type, waiting for one until ctx is done. Events of other
// types stay queued for Next and WaitFor, except an `error` event: when one comes first (and typ is not
// "error"), WaitFor takes it and returns it with a *ServerError.
func (p *Peer) WaitFor(ctx context.Context, typ string) (Event, error) {
	ev, err := p.events.wait(ctx, func(e Event) bool { return e.Type == typ || e.Type == "error" })
	if err == nil && ev.Type != typ {
		return ev, &ServerError{Code: ev.Code, Message: ev.Message, Request: ev.Request}
	}
	return ev, err
}
