package signaling

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"
	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// conn is one candidate's socket. Its run loop is the only goroutine that touches
// its state; a reader goroutine feeds it messages, a writer goroutine is the only
// one that writes the socket, and callbacks reach the loop through channels.
type conn struct {
	h     *Handler
	ws    *websocket.Conn
	inv   *storage.Invitation
	iv    *storage.Interview
	token string
	log   *slog.Logger

	in         chan inbound
	out        chan any
	pcState    chan peerState
	done       chan struct{} // closed when run returns
	writerDone chan struct{}
	readerDone chan struct{}

	sess  *recorder.Session
	rec   *recording // the take in progress, if any
	cands heldCandidates
}

// inbound is one message read from the socket, or the reason reading stopped.
type inbound struct {
	data     []byte
	tooLarge bool
}

// recording is a take in progress.
type recording struct {
	take   storage.Take
	file   storage.TakeFile
	signal *takeSignal
	limit  time.Duration
}

func newConn(h *Handler, ws *websocket.Conn, inv *storage.Invitation, iv *storage.Interview, token string) *conn {
	return &conn{
		h: h, ws: ws, inv: inv, iv: iv, token: token,
		log:        h.log.With(slog.String("invitation", inv.ID)),
		in:         make(chan inbound),
		out:        make(chan any, 32),
		pcState:    make(chan peerState, 8),
		done:       make(chan struct{}),
		writerDone: make(chan struct{}),
		readerDone: make(chan struct{}),
	}
}

func (c *conn) run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.readLoop() }()
	go func() { defer wg.Done(); c.writeLoop() }()
	c.log.Info("candidate connected")
	defer func() {
		c.cleanup()
		close(c.done)
		c.ws.Close()
		wg.Wait()
		c.log.Info("candidate disconnected")
	}()
	if err := c.sendWelcome(); err != nil {
		c.log.Error("welcome", slog.Any("err", err))
		return
	}
	c.serve(ctx, c)
}

// socketHandler is what a connection's loop hands its events to: the candidate's
// conn, or the recruiter's questionConn, which shares the conn's socket plumbing.
type socketHandler interface {
	handle(data []byte)
	takeNews()
	peerState(ps peerState)
	// recording returns the take's news channel, or nil while nothing records.
	recording() <-chan struct{}
	// stopped is told why the connection's context ended.
	stopped(cause error)
}

// serve is a connection's loop: it owns the connection's state, and every event
// reaches h from here, one at a time.
func (c *conn) serve(ctx context.Context, h socketHandler) {
	for {
		select {
		case <-ctx.Done():
			h.stopped(context.Cause(ctx))
			return
		case <-c.writerDone:
			return
		case <-c.readerDone:
			return
		case m := <-c.in:
			if m.tooLarge {
				c.refuse(errTooLarge, "")
				c.closeWith(websocket.CloseMessageTooBig, "message too large")
				return
			}
			h.handle(m.data)
		case <-h.recording():
			h.takeNews()
		case st := <-c.pcState:
			h.peerState(st)
		}
	}
}

func (c *conn) recording() <-chan struct{} {
	if c.rec == nil {
		return nil
	}
	return c.rec.signal.notify
}

// stopped finishes a take in progress first when the candidate connected again or
// their link was withdrawn, so the browser hears what was saved, and then why.
func (c *conn) stopped(cause error) {
	switch {
	case errors.Is(cause, errReplaced):
		c.cleanup()
		c.refuse(errReplacedMsg, "")
		c.closeWith(closeReplaced, "opened elsewhere")
	case errors.Is(cause, errWithdrawn):
		c.cleanup()
		c.refuse(errRevoked, "")
		c.closeWith(closeWithdrawn, "withdrawn")
	}
}

// readLoop reads messages until the socket fails. It enforces the message limit
// itself, so the browser hears why before the socket closes.
func (c *conn) readLoop() {
	defer close(c.readerDone)
	c.ws.SetReadLimit(4 * c.h.opts.MaxMessage)
	c.ws.SetReadDeadline(time.Now().Add(c.h.opts.PongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(c.h.opts.PongWait))
	})
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		data, err := io.ReadAll(io.LimitReader(r, c.h.opts.MaxMessage+1))
		if err != nil {
			return
		}
		m := inbound{data: data, tooLarge: int64(len(data)) > c.h.opts.MaxMessage}
		select {
		case c.in <- m:
		case <-c.done:
			return
		}
		if m.tooLarge {
			c.discardRest(r)
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(c.h.opts.PongWait))
	}
}

// discardRest reads and drops everything the browser still sends until it answers
// the close frame. Closing a socket with unread data resets the connection, and the
// browser would then lose the error event that says why.
func (c *conn) discardRest(r io.Reader) {
	io.Copy(io.Discard, r)
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		io.Copy(io.Discard, r)
	}
}

// writeLoop is the socket's only writer: queued messages, and pings.
func (c *conn) writeLoop() {
	defer close(c.writerDone)
	ping := time.NewTicker(c.h.opts.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-c.done:
			return
		case m := <-c.out:
			if err := c.write(m); err != nil {
				c.ws.Close()
				return
			}
			if _, ok := m.(closeMsg); ok {
				return // nothing may follow a close frame
			}
		case <-ping.C:
			deadline := time.Now().Add(c.h.opts.WriteWait)
			if err := c.ws.WriteControl(websocket.PingMessage, nil, deadline); err != nil {
				c.ws.Close()
				return
			}
		}
	}
}

func (c *conn) write(m any) error {
	c.ws.SetWriteDeadline(time.Now().Add(c.h.opts.WriteWait))
	if cm, ok := m.(closeMsg); ok {
		return c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(cm.code, cm.text))
	}
	return c.ws.WriteJSON(m)
}

// closeReplaced is the close code of a socket replaced by a newer one of the same
// candidate; the page does not reconnect after it.
const closeReplaced = 4001

// closeWithdrawn is the close code of a socket whose link was revoked or whose
// candidate was deleted; the page does not reconnect after it.
const closeWithdrawn = 4003

// closeMsg asks the writer to send a close frame after what is queued.
type closeMsg struct {
	code int
	text string
}

// send queues a message for the writer. It gives up if the writer has stopped.
func (c *conn) send(m any) {
	select {
	case c.out <- m:
	case <-c.writerDone:
	}
}

// sendAsync is send for callbacks from other goroutines: it also gives up once the connection is over.
func (c *conn) sendAsync(m any) {
	select {
	case c.out <- m:
	case <-c.writerDone:
	case <-c.done:
	}
}

// closeWith sends a close frame after what is queued, then waits a moment for the
// browser's answering close frame, which ends the reader.
func (c *conn) closeWith(code int, text string) {
	c.send(closeMsg{code: code, text: text})
	select {
	case <-c.readerDone:
	case <-time.After(2 * time.Second):
	}
}

func (c *conn) refuse(e *protocolError, request string) {
	c.send(errorMsg{Type: "error", Code: e.code, Message: e.message, Request: request})
}

func (c *conn) sendWelcome() error {
	inv, err := c.h.store.MarkOpened(c.inv.ID)
	if err != nil {
		return err
	}
	c.inv = inv
	return c.sendState("welcome")
}

// sendState sends the candidate's view of the interview, as far as the stage allows.
func (c *conn) sendState(typ string) error {
	v := stateView{iv: c.iv, inv: c.inv, now: time.Now()}
	if st := c.inv.Stage(); st == storage.StageQuestions || st == storage.StageSubmitted {
		var err error
		if v.takes, err = c.h.store.CurrentTakes(c.inv.ID); err != nil {
			return err
		}
		if v.retakes, err = c.h.store.RetakesUsed(c.inv.ID); err != nil {
			return err
		}
	}
	c.send(v.message(typ))
	return nil
}

// handle decodes one message and runs its command.
func (c *conn) handle(data []byte) {
	var m inMessage
	if err := json.Unmarshal(data, &m); err != nil {
		c.refuse(errBadMessage, "")
		return
	}
	if err := c.command(&m); err != nil {
		pe := toProtocol(err)
		if pe == errInternal || pe == errWriteFailed {
			c.log.Error("command failed", slog.String("type", m.Type), slog.Any("err", err))
		}
		em := errorMsg{Type: "error", Code: pe.code, Message: pe.message, Request: m.Type}
		var de *detailsError
		var me *storage.MissingAnswersError
		switch {
		case errors.As(err, &de):
			em.Fields = de.fields
		case errors.As(err, &me):
			em.Questions = me.Questions
		}
		c.send(em)
	}
}

func (c *conn) command(m *inMessage) error {
	switch m.Type {
	case "accept-privacy":
		return c.acceptPrivacy()
	case "details":
		return c.details(m.Values)
	case "submit":
		return c.submit()
	case "stop":
		return c.stop()
	}
	if m.Type != "offer" && m.Type != "candidate" && m.Type != "record" && m.Type != "retake" && m.Type != "remove-take" {
		return errUnknownType
	}
	// Media and recording belong to the questions stage only.
	switch c.inv.Stage() {
	case storage.StageSubmitted:
		return errSubmitted
	case storage.StagePrivacy, storage.StageDetails:
		return errWrongStage
	}
	switch m.Type {
	case "offer":
		return c.offer(m.SDP)
	case "candidate":
		return c.candidate(m.Candidate)
	case "record":
		return c.record(m.Question)
	case "retake":
		return c.retake(m.Question)
	}
	return c.removeTake(m.Question)
}

func (c *conn) offer(sdp string) error {
	if sdp == "" {
		return errBadMessage
	}
	if c.sess != nil && c.sess.Broken() {
		c.dropSession()
	}
	fresh := c.sess == nil
	if fresh {
		s, err := c.newSession()
		if err != nil {
			return err
		}
		c.sess = s
	}
	answer, err := c.answer(c.sess, sdp)
	if err != nil && !fresh {
		answer, err = c.replaceSession(sdp, err)
	}
	if err != nil {
		c.log.Info("bad offer", slog.Any("err", err))
		return errBadSDP
	}
	c.send(answerMsg{Type: "answer", SDP: answer})
	for _, ci := range c.cands.release() {
		c.send(candidateMsg{Type: "candidate", Candidate: ci})
	}
	return nil
}

// replaceSession tries an offer that the current session refused on a new one: the
// browser may have made a new peer connection. The new session replaces the old one
// only if it takes the offer.
func (c *conn) replaceSession(sdp string, why error) (string, error) {
	next, err := c.newSession()
	if err != nil {
		return "", err
	}
	answer, err := c.answer(next, sdp)
	if err != nil {
		next.Close()
		return "", why
	}
	c.log.Info("the browser made a new peer connection", slog.Any("old", why))
	c.dropSession()
	c.sess = next
	return answer, nil
}

func (c *conn) newSession() (*recorder.Session, error) {
	var s *recorder.Session
	ready := make(chan struct{}) // s is set
	s, err := c.h.rec.NewSession(recorder.SessionOptions{
		OnICECandidate: c.localCandidate,
		OnStateChange: func(st webrtc.PeerConnectionState) {
			<-ready
			select {
			case c.pcState <- peerState{s, st}:
			case <-c.done:
			}
		},
		OnMediaReady: func() { c.sendAsync(mediaMsg{Type: "media", Ready: true}) },
		Logger:       c.log,
	})
	close(ready)
	return s, err
}

// peerState is a state change of one of the connection's sessions.
type peerState struct {
	sess  *recorder.Session
	state webrtc.PeerConnectionState
}

// dropSession ends the peer connection, keeping a take in progress as cut.
func (c *conn) dropSession() {
	if c.rec != nil {
		c.finishTake(storage.EndCut)
	}
	if err := c.sess.Close(); err != nil {
		c.log.Debug("closing peer connection", slog.Any("err", err))
	}
	c.sess = nil
}

// answer applies an offer to a session. Candidates gathered for the answer are held
// until it is queued, so the browser never gets one before the answer.
func (c *conn) answer(s *recorder.Session, sdp string) (string, error) {
	c.cands.hold()
	answer, err := s.HandleOffer(sdp)
	if err != nil {
		c.cands.release()
	}
	return answer, err
}

// localCandidate trickles one of the server's ICE candidates to the browser. It is
// called from Pion's goroutines.
func (c *conn) localCandidate(ci webrtc.ICECandidateInit) {
	if !c.cands.keep(ci) {
		c.sendAsync(candidateMsg{Type: "candidate", Candidate: ci})
	}
}

// heldCandidates holds local candidates while an answer is being made.
type heldCandidates struct {
	mu      sync.Mutex
	holding bool
	held    []webrtc.ICECandidateInit
}

func (h *heldCandidates) hold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.holding = true
}

// keep holds ci and reports true while holding.
func (h *heldCandidates) keep(ci webrtc.ICECandidateInit) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.holding {
		h.held = append(h.held, ci)
	}
	return h.holding
}

func (h *heldCandidates) release() []webrtc.ICECandidateInit {
	h.mu.Lock()
	defer h.mu.Unlock()
	held := h.held
	h.holding, h.held = false, nil
	return held
}

func (c *conn) candidate(ci *webrtc.ICECandidateInit) error {
	if ci == nil {
		return errBadMessage
	}
	if c.sess == nil {
		return errBadSDP
	}
	if err := c.sess.AddICECandidate(*ci); err != nil {
		c.log.Info("bad candidate", slog.Any("err", err))
		return errBadSDP
	}
	return nil
}

func (c *conn) peerState(ps peerState) {
	st := ps.state
	c.log.Debug("peer connection", slog.String("state", st.String()))
	if ps.sess != c.sess {
		return // a session replaced or closed already
	}
	if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
		// The media is gone: keep what reached the server.
		if c.rec != nil {
			c.finishTake(storage.EndCut)
		}
	}
}

// cleanup runs when the connection ends: a take in progress is kept as a cut draft.
// It may run twice; the second time finds nothing to do.
func (c *conn) cleanup() {
	if c.sess != nil {
		c.dropSession()
	}
}

func (c *conn) question(id string) error {
	if _, ok := c.iv.Question(id); !ok {
		return errUnknownQuestion
	}
	return nil
}
