package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/takes/takes/internal/browsertest"
	"github.com/takes/takes/storage"
)

// TestBrowserKeepsCutTake drops the page's connection in the middle of a take, the way a network failure
// does: the server's end of the WebSocket is closed under it. What reached the server is kept as a saved,
// playable draft marked "cut", and the page comes back by itself, without a reload, ready to retake.
func TestBrowserKeepsCutTake(t *testing.T) {
	s := startServer(t) // the candidate has accepted the privacy policy and given details
	q1 := s.iv.Questions[0].ID
	// The same server behind a listener of our own, which knows the connections that became WebSockets.
	sockets := &hijackedConns{}
	srv := httptest.NewUnstartedServer(s.app.Handler())
	srv.Config.ConnState = sockets.track
	srv.Start()
	t.Cleanup(srv.Close)

	camera, microphone := fakeDevices(t)
	b := browsertest.Start(t, browsertest.Options{VideoFile: camera, AudioFile: microphone})
	shots := browsertest.ScreenshotDir(t, "TAKES_SCREENSHOTS")
	t.Logf("screenshots in %s", shots)
	p := openCandidate(t, b, shots, srv.URL+"/i/"+s.inv.Token)
	defer p.checkConsole()

	p.waitScreen("questions")
	p.clickExpecting("#cookie-notice", "OK", "cookie-accept")
	p.click(questionSelector(q1), "Record your response")
	p.waitScreen("record")
	p.waitFor(pageConnectTimeout, "Record to be offered", `!document.querySelector('#record-button').disabled`)
	p.click(".record-actions", "Record")
	began := p.waitRecording(q1)
	// A mark that a reload would wipe out.
	pageEval[bool](p, pageUITimeout, `window.__beforeTheDrop = true`)
	sleepCtx(t, time.Until(began.Add(2500*time.Millisecond)))
	p.shot("recording")

	// The drop.
	dropped := sockets.drop()
	spoke := time.Since(began)
	if dropped != 1 {
		t.Fatalf("dropped %d WebSocket connections, want the page's one", dropped)
	}
	t.Logf("dropped the page's socket after %v of recording", spoke.Round(time.Millisecond))
	// The page says so (for about a second, until it tries again).
	lost := pollString(t, p, pageUITimeout, `(() => {
		const c = document.querySelector('#connection');
		return c.dataset.state === 'lost' ? document.querySelector('#connection-text').textContent : '';
	})()`)
	t.Logf("the page says: %q", lost)
	p.shot("connection-lost")

	// Back by itself: connected again, the take saved as a cut draft, and no reload.
	p.waitQuestionState(pageConnectTimeout, q1, "draft")
	p.waitConnected()
	p.waitFor(pageUITimeout, "the notice that the take was cut", `(() => {
		const n = document.querySelector('#take-notice');
		return n.checkVisibility() && /connection dropped/.test(n.textContent);
	})()`)
	if !pageEval[bool](p, pageUITimeout, `window.__beforeTheDrop === true`) {
		t.Error("the page was reloaded to recover")
	}
	p.shot("cut-take-kept")
	if take := currentTake(t, s, q1); take.N != 1 || take.State != storage.TakeDraft || take.End != storage.EndCut {
		t.Errorf("the cut take on record: %+v, want take 1, a draft that ended %q", take, storage.EndCut)
	}
	welcomes := 0
	var reason any
	for _, m := range p.wire.frames("recv") {
		if m["type"] != "welcome" {
			continue
		}
		welcomes++
		qs, _ := m["questions"].([]any)
		for _, q := range qs {
			if q, _ := q.(map[string]any); q["id"] == q1 {
				take, _ := q["take"].(map[string]any)
				reason = take["reason"]
			}
		}
	}
	if welcomes < 2 || reason != "cut" {
		t.Errorf("%d welcomes, the last one says the take ended %v; want a second welcome that says cut", welcomes, reason)
	}
	url1 := fmt.Sprintf("/media/%s/%s/1", s.inv.Token, q1)
	p.checkReview(url1, spoke)
	judgeTake(t, s.takePath(s.key(q1, 1)), spoke, camera)

	// The candidate retakes it on the new connection.
	spoke = p.recordTake("Retake", q1, 2*time.Second, "retake")
	p.checkReview(fmt.Sprintf("/media/%s/%s/2", s.inv.Token, q1), spoke)
	p.shot("retake-review")
	if take := currentTake(t, s, q1); take.N != 2 || take.End != storage.EndStop {
		t.Errorf("the retake on record: %+v, want take 2 that ended %q", take, storage.EndStop)
	}
	judgeTake(t, s.takePath(s.key(q1, 2)), spoke, camera)
}

// hijackedConns keeps the connections an HTTP server handed over to a WebSocket.
type hijackedConns struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (h *hijackedConns) track(c net.Conn, state http.ConnState) {
	if state != http.StateHijacked {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conns = append(h.conns, c)
}

// drop closes every connection kept so far, under the server's feet, and returns how many were open.
func (h *hijackedConns) drop() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.conns {
		if c.Close() == nil {
			n++
		}
	}
	h.conns = nil
	return n
}

// pollString polls a JavaScript expression every 10 ms until it gives a non-empty string.
func pollString(t *testing.T, p *candidatePage, timeout time.Duration, expr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.tab, timeout)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Poll[string](expr, chromedp.WithPollingInterval(10*time.Millisecond),
		chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		t.Fatalf("waiting %v for %s: %v", timeout, expr, err)
	}
	return got
}

// currentTake returns the question's current take on record.
func currentTake(t *testing.T, s *testServer, question string) storage.Take {
	t.Helper()
	takes, err := s.app.DB().CurrentTakes(s.inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return takes[question]
}
