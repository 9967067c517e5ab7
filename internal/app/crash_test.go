package app

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/internal/testpeer"
	"github.com/takes/takes/storage"
)

// buildBinary builds the takes command for tests that need a server in its own process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "takes")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/takes/takes/cmd/takes")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startChild runs `takes serve` on a free loopback port and returns its base URL.
func startChild(t *testing.T, bin, data string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data, "--ice-loopback-only", "--demo=false")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = testWriter{t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	for lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(io.Discard, stdout)
			return cmd, m[1]
		}
	}
	t.Fatal("the server did not say where it listens")
	return nil, ""
}

// TestCrashRecovery kills a server with SIGKILL while it records: after a restart,
// finished takes are intact, interrupted ones are rebuilt into playable drafts, and
// the store and the disk agree.
func TestCrashRecovery(t *testing.T) {
	mediatest.RequireTools(t)
	bin := buildBinary(t)
	data := t.TempDir()

	// Five candidates, each at the questions stage.
	db, err := storage.Open(filepath.Join(data, "takes.db"))
	if err != nil {
		t.Fatal(err)
	}
	iv := &storage.Interview{Title: "Crash", Questions: []storage.Question{{Text: "Only?"}}}
	db.CreateInterview(iv)
	var invs []*storage.Invitation
	for range 5 {
		inv := &storage.Invitation{InterviewID: iv.ID}
		db.CreateInvitation(inv)
		db.AcceptPrivacy(inv.ID)
		db.SaveDetails(inv.ID, map[string]string{"name": "C", "email": "c@example.com"})
		invs = append(invs, inv)
	}
	db.Close()

	cmd, base := startChild(t, bin, data)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{})
	wsBase := "ws" + strings.TrimPrefix(base, "http") + "/ws/"
	q := iv.Questions[0].ID
	var peers []*testpeer.Peer
	for _, inv := range invs {
		p, err := testpeer.Dial(ctx, wsBase+inv.Token, testpeer.Options{Clip: clip})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if _, err := p.WaitFor(ctx, "media"); err != nil {
			t.Fatal(err)
		}
		p.Record(q)
		peers = append(peers, p)
	}
	for _, p := range peers {
		if _, err := p.WaitFor(ctx, "recording"); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, ctx, 3*time.Second)
	for _, p := range peers[:3] { // three finish; two are still recording at the kill
		p.Stop()
		if _, err := p.WaitFor(ctx, "saved"); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, ctx, 2500*time.Millisecond) // the two interrupted takes are about 5.5 s long
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	a, err := New(Config{DataDir: data, Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i, inv := range invs {
		cur, err := a.DB().CurrentTakes(inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		tk, ok := cur[q]
		want := storage.EndStop
		if i >= 3 {
			want = storage.EndInterrupted
		}
		if !ok || tk.State != storage.TakeDraft || tk.End != want {
			t.Errorf("candidate %d: take %+v, want a draft that ended %q", i, tk, want)
			continue
		}
		path := filepath.Join(data, "media", must(storage.MediaPath(tk.TakeKey)))
		if out := mediatest.DecodeErrors(t, path); out != "" {
			t.Errorf("candidate %d: decoding errors:\n%s", i, out)
		}
		if !mediatest.FirstVideoBlockIsKeyframe(t, path) {
			t.Errorf("candidate %d: first video block is not a keyframe", i)
		}
		info, err := mediatest.ParseWebM(path)
		if err != nil || info.CuePoints == 0 {
			t.Errorf("candidate %d: %v, %d cue points", i, err, info.CuePoints)
		}
		pr := mediatest.Probe(t, path)
		if i >= 3 && (pr.Duration < 4*time.Second || time.Duration(tk.DurationMs)*time.Millisecond-pr.Duration > 100*time.Millisecond) {
			t.Errorf("candidate %d: recovered %v (record says %d ms) of about 5.5 s", i, pr.Duration, tk.DurationMs)
		}
	}
	// The store and the disk agree: one file per take, no .part left.
	files := mediaFiles(t, data)
	if len(files) != len(invs) {
		t.Errorf("files after recovery: %v", files)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".webm") {
			t.Errorf("left over: %s", f)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
