package loadgen

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/takes/takes/internal/app"
	"github.com/takes/takes/internal/leaktest"
	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// TestRunTwoPeers runs two peers for a few seconds against a real server on a loopback port and checks
// that their takes are on disk with every frame they sent. The second peer's invitation is new: it goes
// through the privacy and details stages first.
func TestRunTwoPeers(t *testing.T) {
	mediatest.RequireTools(t)
	for _, pacing := range []Pacing{PacingShared, PacingTicker} {
		t.Run(string(pacing), func(t *testing.T) {
			leaktest.Check(t)
			data := t.TempDir()
			invs, err := Prepare(data, 1)
			if err != nil {
				t.Fatal(err)
			}
			invs = append(invs, newInvitation(t, data, invs[0]))
			clip, err := MakeClip(t.Context(), filepath.Join(os.TempDir(), "takes-loadgen-test"),
				ClipOptions{Width: 320, Height: 240, Duration: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			a, err := app.New(app.Config{DataDir: data, Recorder: recorder.Config{LoopbackOnly: true},
				Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(a.Handler())
			defer srv.Close()
			defer a.Close()

			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			var phases []Phase
			rep, err := Run(ctx, Config{
				URL: srv.URL, Tokens: []string{invs[0].Token, invs[1].Token}, N: 2,
				TakeDuration: 1500 * time.Millisecond, Gap: 200 * time.Millisecond, Hold: 4 * time.Second,
				Clip: clip, Pacing: pacing, RetakeEvery: 2, RemoveEvery: 3,
				OnPhase: func(p Phase) { phases = append(phases, p) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(phases) != 3 {
				t.Errorf("phases %v", phases)
			}
			sum := rep.Summary()
			if sum.Connected != 2 || sum.Failed != 0 || sum.TakeErrors != 0 || sum.Takes < 4 {
				t.Fatalf("summary %+v", sum)
			}
			a.Close()
			checkFiles(t, data, rep, invs)
		})
	}
}

// newInvitation adds an invitation to the interview of inv, at the privacy stage.
func newInvitation(t *testing.T, data string, inv Invitation) Invitation {
	t.Helper()
	db, err := storage.Open(filepath.Join(data, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	old, err := db.Invitation(inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	fresh := &storage.Invitation{InterviewID: old.InterviewID}
	if err := db.CreateInvitation(fresh); err != nil {
		t.Fatal(err)
	}
	return Invitation{ID: fresh.ID, Token: fresh.Token}
}

// checkFiles compares each kept take's file with what its peer sent.
func checkFiles(t *testing.T, data string, rep *Report, invs []Invitation) {
	t.Helper()
	db, err := storage.Open(filepath.Join(data, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kept := 0
	for i, p := range rep.Peers {
		takes, err := db.Takes(invs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range p.Takes {
			if tr.Replaced || tr.Removed {
				continue
			}
			var rec storage.Take
			for _, st := range takes {
				if st.Question == tr.Question && st.N == tr.N {
					rec = st
				}
			}
			path, err := storage.MediaPath(rec.TakeKey)
			if err != nil {
				t.Fatalf("take %+v not in the store", tr)
			}
			tf, err := ReadTakeFile(filepath.Join(data, "media", path))
			if err != nil {
				t.Fatal(err)
			}
			m, err := MatchTake(tr.Sent, tf.Video)
			if err != nil {
				t.Fatal(err)
			}
			// A frame may be missing only if the server saw a packet lost (a starved CI machine).
			lossy := rec.Quality != nil && rec.Quality.PacketsLost+rec.Quality.FramesDropped > 0
			if m.Written > m.Sent || m.Written < m.Sent && !lossy || m.Written == 0 || m.Unmatched > 0 {
				t.Errorf("take %s/%d: %d frames written of %d sent, %d not matching", tr.Question, tr.N,
					m.Written, m.Sent, m.Unmatched)
			}
			kept++
		}
	}
	if kept == 0 {
		t.Error("no take kept")
	}
}
