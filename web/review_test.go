package web

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/internal/mediatest"
	"github.com/takes/takes/recorder/webm"
	"github.com/takes/takes/storage"
)

// reviewFixture is a server with an interview of three questions (the third
// optional), a candidate who submitted answers to the first two, a candidate with
// draft takes who did not submit, and an admin and a reviewer signed in.
type reviewFixture struct {
	*testServer
	iv         *storage.Interview
	sub, draft *storage.Invitation
	files      map[string][]byte // the submitted takes' bytes, by question ID

	admin, reviewer         *storage.User
	adminCookie, revCookie  *http.Cookie
	adminCSRF, reviewerCSRF string
}

func newReviewFixture(t *testing.T) *reviewFixture {
	t.Helper()
	return newReviewFixtureWith(t, AuthConfig{})
}

// newReviewFixtureWith is newReviewFixture with the server's auth settings.
func newReviewFixtureWith(t *testing.T, cfg AuthConfig) *reviewFixture {
	t.Helper()
	f := &reviewFixture{testServer: newTestServer(t, cfg), files: map[string][]byte{}}
	f.iv = &storage.Interview{Title: "Backend engineer", Questions: []storage.Question{
		{Text: "Tell us about yourself."}, {Text: "Why this job?"}, {Text: "Anything else?", Optional: true}}}
	if err := f.db.CreateInterview(f.iv); err != nil {
		t.Fatal(err)
	}
	f.sub = f.candidate("Ada Lovelace", "ada@example.com", true)
	f.draft = f.candidate("Drafty Draft", "draft@example.com", false)
	f.admin = f.addUser("admin@example.com", storage.RoleAdmin, false)
	f.reviewer = f.addUser("rev@example.com", storage.RoleReviewer, false)
	f.adminCookie, f.adminCSRF = f.signIn("admin@example.com")
	f.revCookie, f.reviewerCSRF = f.signIn("rev@example.com")
	return f
}

// candidate creates a candidate who answered the first two questions, and submitted if submit.
func (f *reviewFixture) candidate(name, email string, submit bool) *storage.Invitation {
	t := f.t
	t.Helper()
	inv := &storage.Invitation{InterviewID: f.iv.ID, Name: name}
	if err := f.db.CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	f.db.AcceptPrivacy(inv.ID)
	if _, err := f.db.SaveDetails(inv.ID, map[string]string{"name": name, "email": email}); err != nil {
		t.Fatal(err)
	}
	ends := []storage.Finish{
		{DurationMs: 92_000, End: storage.EndStop},
		{DurationMs: 41_000, End: storage.EndCut, Quality: &storage.Quality{FramesDropped: 3}},
	}
	for i, fin := range ends {
		tk, err := f.db.BeginTake(inv, f.iv.Questions[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		data := f.writeTake(tk.TakeKey, 10+10*i)
		fin.Bytes = int64(len(data))
		if _, err := f.db.FinishTake(tk.TakeKey, fin); err != nil {
			t.Fatal(err)
		}
		if submit {
			f.files[tk.Question] = data
		}
	}
	if !submit {
		return inv
	}
	inv, err := f.db.Submit(f.iv, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// writeTake writes a real WebM file of the first frames (of 30) of a one-second VP8
// clip as take k, and returns its bytes.
func (f *testServer) writeTake(k storage.TakeKey, frames int) []byte {
	t := f.t
	t.Helper()
	clip := mediatest.MakeClip(t, "", mediatest.ClipOptions{Duration: time.Second})
	ivf, err := mediatest.ReadIVF(clip.VideoPath)
	if err != nil {
		t.Fatal(err)
	}
	file, err := f.media.Create(k)
	if err != nil {
		t.Fatal(err)
	}
	w, err := webm.NewWriter(file, []webm.Track{{Number: 1, Video: true, CodecID: "V_VP8", Width: clip.Width, Height: clip.Height}},
		webm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, fr := range ivf.Frames[:frames] {
		if err := w.WriteBlock(1, fr.Keyframe, (time.Duration(i) * clip.FrameDuration).Milliseconds(), fr.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(time.Duration(frames) * clip.FrameDuration); err != nil {
		t.Fatal(err)
	}
	if err := file.Commit(); err != nil {
		t.Fatal(err)
	}
	mf, err := f.media.Open(k)
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	data, err := io.ReadAll(mf)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func (f *reviewFixture) get(path string, cookie *http.Cookie, header map[string]string) *bytesRecorder {
	f.t.Helper()
	rec := f.do(request{method: "GET", path: path, cookie: cookie, header: header})
	return &bytesRecorder{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func (f *reviewFixture) post(path string, cookie *http.Cookie, csrf string, form url.Values) *bytesRecorder {
	f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if csrf != "" {
		form.Set("csrf", csrf)
	}
	rec := f.do(request{method: "POST", path: path, cookie: cookie, form: form})
	return &bytesRecorder{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// bytesRecorder is what a test keeps of a response.
type bytesRecorder struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (b *bytesRecorder) want(t *testing.T, code int) {
	t.Helper()
	if b.Code != code {
		t.Fatalf("status %d, want %d; body: %.400s", b.Code, code, b.Body)
	}
}

func (f *reviewFixture) q(i int) string { return f.iv.Questions[i].ID }

// auditActions returns the audit log's actions for the submitted candidate, by actor, oldest first.
func (f *reviewFixture) auditActions(inv string) []string {
	f.t.Helper()
	entries, err := f.db.AuditLog(storage.AuditFilter{InvitationID: inv})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		out = append(out, entries[i].Actor+": "+entries[i].Action)
	}
	return out
}

// reviewRoutesOf lists every review route for candidate inv, with its method.
func (f *reviewFixture) reviewRoutesOf(inv string) []request {
	c := "/admin/candidates/" + inv
	return []request{
		{method: "GET", path: "/admin/interviews/" + f.iv.ID + "/candidates"},
		{method: "GET", path: c},
		{method: "GET", path: c + "/takes/" + f.q(0)},
		{method: "GET", path: c + "/takes.zip"},
		{method: "POST", path: c + "/stage", form: url.Values{"stage": {"shortlisted"}}},
		{method: "POST", path: c + "/answers/" + f.q(0) + "/rating", form: url.Values{"stars": {"4"}}},
		{method: "POST", path: c + "/answers/" + f.q(0) + "/comments", form: url.Values{"text": {"Good."}}},
		{method: "POST", path: c + "/answers/" + f.q(0) + "/comments/0000000000000001/delete", form: url.Values{}},
	}
}

func TestReviewRoutesNeedSignIn(t *testing.T) {
	f := newReviewFixture(t)
	for _, rq := range f.reviewRoutesOf(f.sub.ID) {
		t.Run(rq.method+" "+rq.path, func(t *testing.T) {
			rec := f.do(rq)
			wantStatus(t, rec, http.StatusSeeOther, "/login")
		})
	}
	if got := f.auditActions(f.sub.ID); len(got) != 0 {
		t.Fatalf("audit entries without a sign-in: %v", got)
	}
}

func TestReviewPostsNeedCSRF(t *testing.T) {
	f := newReviewFixture(t)
	for _, rq := range f.reviewRoutesOf(f.sub.ID) {
		if rq.method != "POST" {
			continue
		}
		t.Run(rq.path, func(t *testing.T) {
			rq.cookie = f.revCookie
			rec := f.do(rq)
			wantStatus(t, rec, http.StatusForbidden, "")
			if !strings.Contains(rec.Body.String(), "Reload the page") {
				t.Fatalf("the refusal does not say what to do: %s", rec.Body)
			}
		})
	}
	rv, _ := f.db.Reviews(f.sub.ID)
	inv, _ := f.db.Invitation(f.sub.ID)
	if len(rv) != 0 || inv.ReviewStage != "" {
		t.Fatalf("a forged request changed something: %+v, stage %q", rv, inv.ReviewStage)
	}
}

// Nothing of a candidate who has not submitted is served, to an admin either.
func TestReviewDraftCandidateNotFound(t *testing.T) {
	f := newReviewFixture(t)
	for _, rq := range f.reviewRoutesOf(f.draft.ID)[1:] {
		t.Run(rq.method+" "+rq.path, func(t *testing.T) {
			rq.cookie = f.adminCookie
			if rq.method == "POST" {
				rq.form.Set("csrf", f.adminCSRF)
			}
			rec := f.do(rq)
			wantStatus(t, rec, http.StatusNotFound, "")
			if ct := rec.Header().Get("Content-Type"); strings.Contains(ct, "video") || strings.Contains(ct, "zip") {
				t.Fatalf("a draft was served as %s", ct)
			}
		})
	}
	for _, path := range []string{"/admin/candidates/nope", "/admin/candidates/" + f.sub.ID + "/takes/" + f.q(2),
		"/admin/candidates/" + f.sub.ID + "/takes/unknown", "/admin/interviews/unknown/candidates"} {
		f.get(path, f.adminCookie, nil).want(t, http.StatusNotFound)
	}
	if got := f.auditActions(f.draft.ID); len(got) != 0 {
		t.Fatalf("audit entries for a draft: %v", got)
	}
	rv, _ := f.db.Reviews(f.draft.ID)
	if len(rv) != 0 {
		t.Fatalf("a draft got reviews: %+v", rv)
	}
}

func TestReviewList(t *testing.T) {
	f := newReviewFixture(t)
	time.Sleep(2 * time.Millisecond) // so the second submission is later
	later := f.candidate("Grace Hopper", "grace@example.com", true)
	f.db.Rate(later.ID, f.q(0), f.admin.ID, 5)
	f.db.Rate(later.ID, f.q(1), f.reviewer.ID, 4)
	f.db.SetReviewStage(f.sub.ID, "shortlisted")
	path := "/admin/interviews/" + f.iv.ID + "/candidates"

	for name, c := range map[string]*http.Cookie{"admin": f.adminCookie, "reviewer": f.revCookie} {
		t.Run(name, func(t *testing.T) {
			rec := f.get(path, c, nil)
			rec.want(t, http.StatusOK)
			body := string(rec.Body)
			grace, ada := strings.Index(body, "Grace Hopper"), strings.Index(body, "Ada Lovelace")
			if grace < 0 || ada < 0 || grace > ada {
				t.Fatalf("want Grace (latest) then Ada: %d %d", grace, ada)
			}
			if strings.Contains(body, "Drafty") {
				t.Fatal("a candidate who did not submit is listed")
			}
			for _, want := range []string{"ada@example.com", "4.5 of 5 (2 ratings)", "not rated", "shortlisted",
				`href="/admin/candidates/` + later.ID + `"`} {
				if !strings.Contains(body, want) {
					t.Errorf("list lacks %q", want)
				}
			}
		})
	}
	t.Run("filtered by stage", func(t *testing.T) {
		body := string(f.get(path+"?stage=shortlisted", f.revCookie, nil).Body)
		if !strings.Contains(body, "Ada Lovelace") || strings.Contains(body, "Grace Hopper") {
			t.Fatalf("stage filter: %s", body)
		}
		body = string(f.get(path+"?stage=new", f.revCookie, nil).Body)
		if strings.Contains(body, "Ada Lovelace") || !strings.Contains(body, "Grace Hopper") {
			t.Fatalf("stage filter new: %s", body)
		}
	})
	t.Run("unknown stage", func(t *testing.T) {
		rec := f.get(path+"?stage=astronaut", f.revCookie, nil)
		rec.want(t, http.StatusUnprocessableEntity)
		if !strings.Contains(string(rec.Body), "no such stage") || !strings.Contains(string(rec.Body), "Ada Lovelace") {
			t.Fatalf("unknown stage: %s", rec.Body)
		}
	})
}

func TestReviewCandidatePage(t *testing.T) {
	f := newReviewFixture(t)
	for name, c := range map[string]*http.Cookie{"admin": f.adminCookie, "reviewer": f.revCookie} {
		t.Run(name, func(t *testing.T) {
			rec := f.get("/admin/candidates/"+f.sub.ID, c, nil)
			rec.want(t, http.StatusOK)
			body := string(rec.Body)
			base := "/admin/candidates/" + f.sub.ID
			for _, want := range []string{
				"Ada Lovelace", "ada@example.com", "Full name", "Backend engineer", "Tell us about yourself.",
				`class="take-video" data-question="` + f.q(0) + `" controls preload="metadata" src="` + base + "/takes/" + f.q(0) + `"`,
				`class="take-video" data-question="` + f.q(1) + `"`,
				`class="take-download" href="` + base + "/takes/" + f.q(0) + `?download=1"`,
				`class="takes-zip" href="` + base + `/takes.zip"`,
				"1:32 · recorded in full", "0:41 · connection dropped: what arrived is kept · frames lost: 3",
				"Not answered.", `name="stars"`, `name="text"`, `data-speed="0.75"`, `data-speed="2"`,
				`<option value="new" selected>`, `src="/static/review.js"`, `href="/static/review.css"`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if n := strings.Count(body, `class="take-video"`); n != 2 {
				t.Errorf("%d videos, want 2 (the third question is unanswered)", n)
			}
			if regexp.MustCompile(`<script(?:[^>]*)>[^<]`).MatchString(body) || strings.Contains(body, "style=") {
				t.Error("inline script or style")
			}
		})
	}
	want := []string{"admin@example.com: view candidate", "rev@example.com: view candidate"}
	got := f.auditActions(f.sub.ID)
	slices.Sort(got) // the two views came in map order
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("audit %v, want %v", got, want)
	}
}

func TestReviewTakeRange(t *testing.T) {
	f := newReviewFixture(t)
	path := "/admin/candidates/" + f.sub.ID + "/takes/" + f.q(0)
	data := f.files[f.q(0)]
	if len(data) < 1000 {
		t.Fatalf("test take of %d bytes is too short", len(data))
	}

	rec := f.get(path, f.revCookie, map[string]string{"Range": "bytes=100-599"})
	rec.want(t, http.StatusPartialContent)
	if got, want := rec.Header.Get("Content-Range"), "bytes 100-599/"+strconv.Itoa(len(data)); got != want {
		t.Fatalf("Content-Range %q, want %q", got, want)
	}
	if !bytes.Equal(rec.Body, data[100:600]) || rec.Header.Get("Content-Type") != "video/webm" {
		t.Fatalf("range body differs from the file (%d bytes, %s)", len(rec.Body), rec.Header.Get("Content-Type"))
	}
	rec = f.get(path, f.adminCookie, nil)
	rec.want(t, http.StatusOK)
	if !bytes.Equal(rec.Body, data) || rec.Header.Get("Content-Disposition") != "" {
		t.Fatalf("whole take differs or is an attachment: %q", rec.Header.Get("Content-Disposition"))
	}
	if got := f.auditActions(f.sub.ID); len(got) != 0 {
		t.Fatalf("playback was audited as a download: %v", got)
	}

	rec = f.get(path+"?download=1", f.revCookie, nil)
	rec.want(t, http.StatusOK)
	if cd := rec.Header.Get("Content-Disposition"); cd != `attachment; filename=Ada-Lovelace-q1.webm` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if !bytes.Equal(rec.Body, data) {
		t.Fatal("downloaded take differs from the file")
	}
	if got := f.auditActions(f.sub.ID); len(got) != 1 || got[0] != "rev@example.com: download take" {
		t.Fatalf("audit %v, want one download by the reviewer", got)
	}
}

func TestReviewZip(t *testing.T) {
	f := newReviewFixture(t)
	rec := f.get("/admin/candidates/"+f.sub.ID+"/takes.zip", f.revCookie, nil)
	rec.want(t, http.StatusOK)
	if cd := rec.Header.Get("Content-Disposition"); cd != "attachment; filename=Ada-Lovelace-answers.zip" {
		t.Fatalf("Content-Disposition %q", cd)
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body), int64(len(rec.Body)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"Ada-Lovelace-q1.webm": f.files[f.q(0)], "Ada-Lovelace-q2.webm": f.files[f.q(1)]}
	if len(zr.File) != len(want) {
		t.Fatalf("%d files in the zip, want %d", len(zr.File), len(want))
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, want[zf.Name]) || zf.Method != zip.Store {
			t.Errorf("%s: %d bytes, method %d; want the take's %d bytes, stored", zf.Name, len(got), zf.Method, len(want[zf.Name]))
		}
	}
	if got := f.auditActions(f.sub.ID); len(got) != 1 || got[0] != "rev@example.com: download all takes" {
		t.Fatalf("audit %v", got)
	}
}

// A take file missing from disk is a server error before anything is sent, not a broken zip.
func TestReviewZipMissingFile(t *testing.T) {
	f := newReviewFixture(t)
	takes, _ := f.db.CurrentTakes(f.sub.ID)
	p, _ := storage.MediaPath(takes[f.q(1)].TakeKey)
	if err := f.media.Remove(takes[f.q(1)].TakeKey); err != nil {
		t.Fatal(err, p)
	}
	rec := f.get("/admin/candidates/"+f.sub.ID+"/takes.zip", f.adminCookie, nil)
	rec.want(t, http.StatusInternalServerError)
}

func TestReviewRatingsAndComments(t *testing.T) {
	f := newReviewFixture(t)
	base := "/admin/candidates/" + f.sub.ID
	rating := base + "/answers/" + f.q(0) + "/rating"
	comments := base + "/answers/" + f.q(0) + "/comments"

	rec := f.post(rating, f.adminCookie, f.adminCSRF, url.Values{"stars": {"4"}})
	rec.want(t, http.StatusSeeOther)
	if loc := rec.Header.Get("Location"); loc != base+"#answer-"+f.q(0) {
		t.Fatalf("redirect to %q", loc)
	}
	f.post(rating, f.revCookie, f.reviewerCSRF, url.Values{"stars": {"2"}}).want(t, http.StatusSeeOther)
	f.post(comments, f.revCookie, f.reviewerCSRF, url.Values{"text": {"Clear, but\nshort."}}).want(t, http.StatusSeeOther)
	f.post(base+"/stage", f.revCookie, f.reviewerCSRF, url.Values{"stage": {"shortlisted"}}).want(t, http.StatusSeeOther)

	body := string(f.get(base, f.adminCookie, nil).Body)
	for _, want := range []string{
		"Name of admin@example.com (you)", "★★★★☆", "4 of 5 stars",
		"Name of rev@example.com", "★★☆☆☆", "2 of 5 stars", "Average 3.0 of 5 from 2 ratings.",
		"Clear, but\nshort.", `<option value="shortlisted" selected>`,
		`id="stars-` + f.q(0) + `-4" name="stars" value="4" checked`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "Delete my comment") {
		t.Error("the admin is offered to delete the reviewer's comment")
	}

	t.Run("bad input", func(t *testing.T) {
		for _, tt := range []struct {
			name, path string
			form       url.Values
			says       string
		}{
			{"nine stars", rating, url.Values{"stars": {"9"}}, "Choose from 1 to 5 stars"},
			{"no stars", rating, url.Values{}, "Choose from 1 to 5 stars"},
			{"letters", rating, url.Values{"stars": {"four"}}, "Choose from 1 to 5 stars"},
			{"empty comment", comments, url.Values{"text": {"  "}}, "Write a comment of 1 to 4000 characters"},
			{"long comment", comments, url.Values{"text": {strings.Repeat("x", 4001)}}, "Write a comment of 1 to 4000 characters"},
			{"unknown stage", base + "/stage", url.Values{"stage": {"astronaut"}}, "Choose one of this interview"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				rec := f.post(tt.path, f.revCookie, f.reviewerCSRF, tt.form)
				rec.want(t, http.StatusUnprocessableEntity)
				if !strings.Contains(string(rec.Body), tt.says) {
					t.Fatalf("the page does not say %q", tt.says)
				}
			})
		}
		rv, _ := f.db.Reviews(f.sub.ID)
		if len(rv[f.q(0)].Comments) != 1 || len(rv[f.q(0)].Ratings) != 2 {
			t.Fatalf("bad input changed the reviews: %+v", rv[f.q(0)])
		}
	})
	t.Run("comment kept after an error", func(t *testing.T) {
		long := strings.Repeat("y", 4001)
		rec := f.post(comments, f.revCookie, f.reviewerCSRF, url.Values{"text": {long}})
		if !strings.Contains(string(rec.Body), ">"+long+"</textarea>") {
			t.Fatal("the refused comment is not back in its form")
		}
	})
	t.Run("rating an unanswered question", func(t *testing.T) {
		f.post(base+"/answers/"+f.q(2)+"/rating", f.revCookie, f.reviewerCSRF, url.Values{"stars": {"3"}}).
			want(t, http.StatusNotFound)
	})
	t.Run("clear a rating", func(t *testing.T) {
		f.post(rating, f.adminCookie, f.adminCSRF, url.Values{"stars": {"0"}}).want(t, http.StatusSeeOther)
		rv, _ := f.db.Reviews(f.sub.ID)
		if rs := rv[f.q(0)].Ratings; len(rs) != 1 || rs[0].UserID != f.reviewer.ID {
			t.Fatalf("ratings after the admin cleared theirs: %+v", rs)
		}
	})
	t.Run("delete a comment", func(t *testing.T) {
		rv, _ := f.db.Reviews(f.sub.ID)
		del := comments + "/" + rv[f.q(0)].Comments[0].ID + "/delete"
		f.post(del, f.adminCookie, f.adminCSRF, nil).want(t, http.StatusForbidden)
		f.post(del, f.revCookie, f.reviewerCSRF, nil).want(t, http.StatusSeeOther)
		f.post(del, f.revCookie, f.reviewerCSRF, nil).want(t, http.StatusNotFound)
		if rv, _ := f.db.Reviews(f.sub.ID); len(rv[f.q(0)].Comments) != 0 {
			t.Fatalf("comment still there: %+v", rv[f.q(0)].Comments)
		}
	})
}

func TestReviewFileName(t *testing.T) {
	for name, want := range map[string]string{
		"Ada Lovelace":          "Ada-Lovelace-q1.webm",
		"  José  María O'Neil ": "José-María-O-Neil-q1.webm",
		"../../etc/passwd":      "etc-passwd-q1.webm",
		"\"; rm -rf /":          "rm-rf-q1.webm",
		"":                      "candidate-q1.webm",
		strings.Repeat("a", 80): strings.Repeat("a", 60) + "-q1.webm",
	} {
		if got := reviewFileName(name, "-q1.webm"); got != want {
			t.Errorf("reviewFileName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestReviewAssetsEmbedded(t *testing.T) {
	for _, name := range []string{"review.css", "review.js"} {
		if _, err := Assets().Open(name); err != nil {
			t.Errorf("%s is not embedded: %v", name, err)
		}
	}
	if _, err := os.Stat("templates/partials/answers.html"); err != nil {
		t.Fatal(err)
	}
}
