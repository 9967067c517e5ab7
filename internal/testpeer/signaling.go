package testpeer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"
)

const (
	writeTimeout = 10 * time.Second
	readLimit    = 1 << 20 // far above the protocol's 64 KiB: the peer must not be the one to refuse
)

// HandshakeError is returned by Dial when the server refused the WebSocket upgrade with an HTTP answer.
type HandshakeError struct {
	StatusCode int
	Body       string // the start of the answer's body
	Err        error
}

// Error implements error.
func (e *HandshakeError) Error() string {
	return fmt.Sprintf("testpeer: websocket handshake: HTTP %d %q: %v", e.StatusCode, e.Body, e.Err)
}

// Unwrap returns the dialer's error.
func (e *HandshakeError) Unwrap() error { return e.Err }

// dialSocket opens the WebSocket. A refused upgrade comes back as a *HandshakeError.
func dialSocket(ctx context.Context, wsURL string, header http.Header) (*websocket.Conn, error) {
	conn, resp, err := websocket.DefaultDialer.DialContext(ctx, wsURL, header)
	if err == nil {
		conn.SetReadLimit(readLimit)
		return conn, nil
	}
	if resp == nil {
		return nil, fmt.Errorf("testpeer: dial %s: %w", wsURL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return nil, &HandshakeError{StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(body)), Err: err}
}

// readWelcome reads the server's first message, which must be a welcome, before the reader goroutine
// starts. ctx bounds the wait.
func readWelcome(ctx context.Context, conn *websocket.Conn) (Welcome, error) {
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()
	_, data, err := conn.ReadMessage()
	if err != nil {
		return Welcome{}, fmt.Errorf("testpeer: read welcome: %w", err)
	}
	if !stop() {
		return Welcome{}, fmt.Errorf("testpeer: read welcome: %w", ctx.Err())
	}
	var w struct {
		Welcome
		Event
	}
	if err := json.Unmarshal(data, &w); err != nil || w.Event.Type != "welcome" {
		return Welcome{}, fmt.Errorf("testpeer: first message is not a welcome (%v): %s", err, data)
	}
	w.Welcome.Raw = data
	return w.Welcome, nil
}

// outbound is one message for the writer goroutine; done receives the result of writing it.
type outbound struct {
	data []byte
	done chan error
}

// readLoop is the socket's one reader. It applies answers and candidates, queues every other event, and
// ends the event queue when the socket closes.
func (p *Peer) readLoop() {
	defer p.wg.Done()
	for {
		_, data, err := p.conn.ReadMessage()
		if err != nil {
			p.events.end(fmt.Errorf("testpeer: signaling closed: %w", err))
			p.stopSignaling()
			return
		}
		p.handleMessage(data)
	}
}

// inbound is a server message decoded with the fields of every type.
type inbound struct {
	Event
	SDP       string                   `json:"sdp"`
	Candidate *webrtc.ICECandidateInit `json:"candidate"`
}

// handleMessage dispatches one server message.
func (p *Peer) handleMessage(data []byte) {
	var m inbound
	if err := json.Unmarshal(data, &m); err != nil {
		p.events.push(Event{Raw: data}, fmt.Errorf("testpeer: undecodable server message %s: %w", data, err))
		return
	}
	switch m.Type {
	case "answer":
		p.answered(p.applyAnswer(m.SDP))
	case "candidate":
		p.addRemoteCandidate(m.Candidate)
	default:
		m.Event.Raw = data
		p.events.push(m.Event, nil)
		if m.Type == "error" && m.Request == "offer" {
			p.answered(&ServerError{Code: m.Code, Message: m.Message, Request: m.Request})
		}
	}
}

// writeLoop is the socket's one writer: every message goes through p.out.
func (p *Peer) writeLoop() {
	defer p.wg.Done()
	for {
		select {
		case m := <-p.out:
			_ = p.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			err := p.conn.WriteMessage(websocket.TextMessage, m.data)
			m.done <- err
			if err != nil {
				p.stopSignaling()
				return
			}
		case <-p.sigStop:
			return
		}
	}
}

// SendRaw sends data as one text frame, as is, and waits until it is written. Tests use it to send
// malformed messages.
func (p *Peer) SendRaw(data []byte) error {
	m := outbound{data: data, done: make(chan error, 1)}
	select {
	case p.out <- m:
	case <-p.sigStop:
		return ErrSignalingClosed
	}
	select {
	case err := <-m.done:
		if err != nil {
			return fmt.Errorf("testpeer: send: %w", err)
		}
		return nil
	case <-p.sigStop:
		return ErrSignalingClosed
	}
}

// Send sends v as one JSON message and waits until it is written.
func (p *Peer) Send(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("testpeer: send: %w", err)
	}
	return p.SendRaw(data)
}

// command is a client command of the protocol.
type command struct {
	Type     string `json:"type"`
	Question string `json:"question,omitempty"`
}

// Record sends `record` for a question.
func (p *Peer) Record(question string) error {
	return p.Send(command{Type: "record", Question: question})
}

// Stop sends `stop`.
func (p *Peer) Stop() error {
	return p.Send(command{Type: "stop"})
}

// Retake sends `retake` for a question.
func (p *Peer) Retake(question string) error {
	return p.Send(command{Type: "retake", Question: question})
}

// RemoveTake sends `remove-take` for a question.
func (p *Peer) RemoveTake(question string) error {
	return p.Send(command{Type: "remove-take", Question: question})
}

// CloseSignaling drops the WebSocket abruptly, without a close frame, as a lost network would; the
// peer connection and its media go on. Later sends fail, and Next returns the queued events, then an error.
func (p *Peer) CloseSignaling() {
	p.stopSignaling()
}

// stopSignaling stops the writer goroutine and closes the socket, which ends the reader goroutine.
func (p *Peer) stopSignaling() {
	p.sigOnce.Do(func() {
		close(p.sigStop)
		_ = p.conn.Close()
	})
}

// closeSignalingGracefully sends a normal close frame before closing the socket, as a browser leaving the
// page does.
func (p *Peer) closeSignalingGracefully() {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	_ = p.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	p.stopSignaling()
}
