package app

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// TestUDPMuxRecordsSeveralCandidates records two candidates at once whose media
// all arrives on one shared UDP socket, read in batches.
func TestUDPMuxRecordsSeveralCandidates(t *testing.T) {
	mediatest.RequireTools(t)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := build(Config{DataDir: t.TempDir(), Logger: log,
		Recorder: recorder.Config{LoopbackOnly: true, UDPMux: "127.0.0.1:0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		a.Close()
		srv.Close()
	})
	iv := &storage.Interview{Title: "Mux", Questions: []storage.Question{{Text: "Only?"}}}
	if err := a.DB().CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	var wg sync.WaitGroup
	for i := range 2 {
		inv := &storage.Invitation{InterviewID: iv.ID}
		if err := a.DB().CreateInvitation(inv); err != nil {
			t.Fatal(err)
		}
		a.DB().AcceptPrivacy(inv.ID)
		a.DB().SaveDetails(inv.ID, map[string]string{"name": "C", "email": "c@example.com"})
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws/" + inv.Token
			p, err := testpeer.Dial(ctx, url, testpeer.Options{Clip: clip})
			if err != nil {
				t.Errorf("candidate %d: %v", i, err)
				return
			}
			defer p.Close()
			if err := p.ConnectedMedia(ctx); err != nil {
				t.Errorf("candidate %d: %v", i, err)
				return
			}
			if _, err := p.WaitFor(ctx, "media"); err != nil {
				t.Errorf("candidate %d: %v", i, err)
				return
			}
			pair, err := p.PeerConnection().GetSenders()[0].Transport().ICETransport().GetSelectedCandidatePair()
			if err != nil || pair == nil || int(pair.Remote.Port) != a.eng.MuxAddr().Port {
				t.Errorf("candidate %d: media goes to %v, want the shared socket %v", i, pair, a.eng.MuxAddr())
			}
			_, spoke := recordTake(t, ctx, p, "record", iv.Questions[0].ID, 2*time.Second)
			k := storage.TakeKey{Interview: iv.ID, Invitation: inv.ID, Question: iv.Questions[0].ID, N: 1}
			path, _ := storage.MediaPath(k)
			checkTakeFile(t, a.cfg.DataDir+"/media/"+path, spoke)
		}()
	}
	wg.Wait()
}
