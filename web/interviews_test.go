package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/storage"
)

// interviewValues is the form a browser posts for iv, as the editor shows it.
func interviewValues(csrf, action string, iv *storage.Interview) url.Values {
	v := url.Values{"csrf": {csrf}, "action": {action}, "title": {iv.Title}, "welcome": {iv.Welcome},
		"privacy": {iv.Privacy}, "deadline": {datetimeLocal(iv.Deadline)}, "stages": {strings.Join(iv.Stages, "\r\n")},
		"questions": {strconv.Itoa(len(iv.Questions))}}
	if iv.RetentionDays > 0 {
		v.Set("retention", strconv.Itoa(iv.RetentionDays))
	}
	for _, f := range iv.AskedFields() {
		v.Add("ask", f.Name)
		if f.Required {
			v.Add("require", f.Name)
		}
	}
	for i, q := range iv.Questions {
		k := func(name string) string { return fmt.Sprintf("q.%d.%s", i, name) }
		v.Set(k("id"), q.ID)
		v.Set(k("text"), q.Text)
		v.Set(k("min"), strconv.Itoa(int(q.TimeLimit/time.Minute)))
		v.Set(k("sec"), fmt.Sprintf("%02d", int(q.TimeLimit%time.Minute/time.Second)))
		if q.TimeLimit == 0 {
			v.Set(k("nolimit"), "1")
		}
		v.Set(k("prep"), strconv.Itoa(int(q.PrepTime/time.Second)))
		if q.RetakeLimit > 0 {
			v.Set(k("retakes"), strconv.Itoa(q.RetakeLimit))
		}
		if !q.Optional {
			v.Set(k("required"), "1")
		}
	}
	return v
}

// sampleInterview is a valid interview as a recruiter would type it.
func sampleInterview() *storage.Interview {
	return &storage.Interview{
		Title: "Backend engineer", Welcome: "Hello & welcome", Privacy: "Our own policy.",
		Fields: []storage.Field{
			{Name: "name", Label: "Full name", Kind: storage.FieldText, Required: true},
			{Name: "email", Label: "Email", Kind: storage.FieldEmail, Required: true},
			{Name: "linkedin", Label: "LinkedIn profile URL", Kind: storage.FieldText},
		},
		Deadline: time.Date(2031, 5, 6, 17, 30, 0, 0, time.UTC), RetentionDays: 90,
		Stages: []string{"new", "phone screen", "offer"},
		Questions: []storage.Question{
			{Text: "Tell us about yourself.", TimeLimit: 2*time.Minute + 30*time.Second, PrepTime: 20 * time.Second},
			{Text: "What do you want to learn?", RetakeLimit: 3, Optional: true},
		},
	}
}

// adminServer returns a test server with an admin and a reviewer, and the admin's sign-in.
func adminServer(t *testing.T) (*testServer, *http.Cookie, string) {
	t.Helper()
	ts := newTestServer(t, AuthConfig{})
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	ts.addUser("rev@example.com", storage.RoleReviewer, false)
	cookie, csrf := ts.signIn("admin@example.com")
	return ts, cookie, csrf
}

func (ts *testServer) storedInterview(id string) *storage.Interview {
	ts.t.Helper()
	iv, err := ts.db.Interview(id)
	if err != nil {
		ts.t.Fatal(err)
	}
	return iv
}

func (ts *testServer) onlyInterview() *storage.Interview {
	ts.t.Helper()
	ivs, err := ts.db.Interviews()
	if err != nil || len(ivs) != 1 {
		ts.t.Fatalf("interviews %+v %v, want one", ivs, err)
	}
	return &ivs[0]
}

func wantBody(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("page: %s", body)
	}
}

func TestInterviewRoutesAccess(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	iv := sampleInterview()
	if err := ts.db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	rev, revCSRF := ts.signIn("rev@example.com")
	edit := "/admin/interviews/" + iv.ID + "/edit"
	for _, path := range []string{"/admin/interviews/new", edit} {
		t.Run(path, func(t *testing.T) {
			wantStatus(t, ts.do(request{method: "GET", path: path}), http.StatusSeeOther, "/login")
			wantStatus(t, ts.do(request{method: "POST", path: path, form: interviewValues("", "save", iv)}), http.StatusSeeOther, "/login")
			wantStatus(t, ts.do(request{method: "GET", path: path, cookie: rev}), http.StatusForbidden, "")
			rec := ts.do(request{method: "POST", path: path, cookie: rev, form: interviewValues(revCSRF, "save", iv)})
			wantStatus(t, rec, http.StatusForbidden, "")
			wantBody(t, rec.Body.String(), "Only admins can do this")
			rec = ts.do(request{method: "POST", path: path, cookie: admin, form: interviewValues("", "save", iv)})
			wantStatus(t, rec, http.StatusForbidden, "")
			rec = ts.do(request{method: "POST", path: path, cookie: admin, form: interviewValues(csrf+"x", "save", iv)})
			wantStatus(t, rec, http.StatusForbidden, "")
			wantStatus(t, ts.do(request{method: "GET", path: path, cookie: admin}), http.StatusOK, "")
		})
	}
	if ivs, _ := ts.db.Interviews(); len(ivs) != 1 || ivs[0].UpdatedAt != (time.Time{}) {
		t.Fatalf("a refused request changed the interviews: %+v", ivs)
	}
}

func TestInterviewCreate(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	want := sampleInterview()
	rec := ts.do(request{method: "POST", path: "/admin/interviews/new", cookie: admin, form: interviewValues(csrf, "save", want)})
	got := ts.onlyInterview()
	wantStatus(t, rec, http.StatusSeeOther, "/admin/interviews/"+got.ID)
	if got.Title != want.Title || got.Welcome != want.Welcome || got.Privacy != want.Privacy ||
		!got.Deadline.Equal(want.Deadline) || got.RetentionDays != 90 || !slices.Equal(got.Stages, want.Stages) ||
		!slices.Equal(got.Fields, want.Fields) {
		t.Fatalf("stored %+v\nwant %+v", got, want)
	}
	if len(got.Questions) != 2 {
		t.Fatalf("questions %+v", got.Questions)
	}
	for i, q := range got.Questions {
		w := want.Questions[i]
		if !storage.ValidID(q.ID) || q.Text != w.Text || q.TimeLimit != w.TimeLimit || q.PrepTime != w.PrepTime ||
			q.RetakeLimit != w.RetakeLimit || q.Optional != w.Optional {
			t.Errorf("question %d: %+v, want %+v", i, q, w)
		}
	}
}

func TestInterviewNewForm(t *testing.T) {
	ts, admin, _ := adminServer(t)
	rec := ts.do(request{method: "GET", path: "/admin/interviews/new", cookie: admin})
	wantStatus(t, rec, http.StatusOK, "")
	body := rec.Body.String()
	wantBody(t, body, "<title>New interview · Takes</title>", `href="/static/interviews.css"`, `action="/admin/interviews/new"`,
		`name="q.0.min" type="number" min="0" max="60" step="1" inputmode="numeric" value="3"`,
		`name="q.0.sec" type="number" min="0" max="59" step="1" inputmode="numeric" value="00"`,
		`id="ask-name" name="ask" type="checkbox" value="name" checked`,
		`id="require-email" name="require" type="checkbox" value="email" checked`,
		`id="ask-city" name="ask" type="checkbox" value="city">`,
		`id="q-0-required" name="q.0.required" type="checkbox" value="1" checked`,
		"new\nshortlisted\nrejected\nhired</textarea>", "Deadline, in UTC",
		`placeholder="We record your answers`, "Save the interview to record this question on video.")
	// Enter in a text box presses the form's first submit button: it must save.
	if i := strings.Index(body, `name="action"`); i < 0 || !strings.HasPrefix(body[i:], `name="action" value="save"`) {
		t.Error("the form's first submit button does not save")
	}
}

func TestInterviewBadInput(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	tests := []struct {
		name string
		edit func(v url.Values)
		want string
	}{
		{"no title", func(v url.Values) { v.Set("title", " ") }, "Enter a title."},
		{"long title", func(v url.Values) { v.Set("title", strings.Repeat("é", 201)) }, "at most 200 characters"},
		{"no question", func(v url.Values) { v.Set("questions", "0") }, "Add at least one question."},
		{"empty question", func(v url.Values) { v.Set("q.1.text", "") }, "Enter the question."},
		{"time limit too short", func(v url.Values) { v.Set("q.0.min", "0"); v.Set("q.0.sec", "5") },
			"from 10 seconds to 60 minutes"},
		{"time limit zero", func(v url.Values) { v.Set("q.0.min", "0"); v.Set("q.0.sec", "0") },
			"at least 10 seconds, or tick “No time limit”"},
		{"seconds over 59", func(v url.Values) { v.Set("q.0.sec", "75") }, "seconds from 0 to 59"},
		{"minutes not a number", func(v url.Values) { v.Set("q.0.min", "three") }, "Enter whole minutes"},
		{"prep not a number", func(v url.Values) { v.Set("q.0.prep", "abc") }, "whole number of seconds"},
		{"prep too long", func(v url.Values) { v.Set("q.0.prep", "601") }, "from 0 to 600 seconds"},
		{"retakes negative", func(v url.Values) { v.Set("q.0.retakes", "-1") }, "from 0 to 20"},
		{"retakes too many", func(v url.Values) { v.Set("q.0.retakes", "21") }, "from 0 to 20"},
		{"bad deadline", func(v url.Values) { v.Set("deadline", "next friday") }, "Enter a date and time in UTC"},
		{"retention zero", func(v url.Values) { v.Set("retention", "0") }, "from 1 to 3650"},
		{"retention too long", func(v url.Values) { v.Set("retention", "4000") }, "from 1 to 3650"},
		{"stage twice", func(v url.Values) { v.Set("stages", "new\nNew") }, "listed twice"},
		{"too many stages", func(v url.Values) { v.Set("stages", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk") }, "at most 10 stages"},
		{"long stage", func(v url.Values) { v.Set("stages", strings.Repeat("s", 41)) }, "at most 40 characters"},
		{"no detail asked", func(v url.Values) { v.Del("ask") }, "Ask for at least one personal detail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := interviewValues(csrf, "save", sampleInterview())
			tt.edit(v)
			rec := ts.do(request{method: "POST", path: "/admin/interviews/new", cookie: admin, form: v})
			wantStatus(t, rec, http.StatusUnprocessableEntity, "")
			body := rec.Body.String()
			wantBody(t, body, "The interview was not saved", html(tt.want), `role="alert"`, `class="problem"`)
			if strings.Count(body, html(tt.want)) < 2 {
				t.Errorf("%q is not both in the summary and next to its field", tt.want)
			}
			if !strings.Contains(body, `value="`+html(v.Get("title"))+`"`) {
				t.Error("the form lost what was typed")
			}
			if ivs, _ := ts.db.Interviews(); len(ivs) != 0 {
				t.Fatalf("invalid interview stored: %+v", ivs)
			}
		})
	}
}

// html escapes s as html/template writes text.
func html(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// questionTexts returns the texts of the form's question boxes, in page order.
func questionTexts(body string) []string {
	re := regexp.MustCompile(`name="q\.\d+\.text"[^>]*>([^<]*)</textarea>`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestInterviewButtons(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	three := sampleInterview()
	three.Questions = append(three.Questions, storage.Question{Text: "Third", TimeLimit: time.Minute})
	tests := []struct {
		action string
		want   []string
		anchor string // the fragment of the button's formaction
	}{
		{"add", []string{"Tell us about yourself.", "What do you want to learn?", "Third", ""}, "#q-4"},
		{"remove:1", []string{"Tell us about yourself.", "Third"}, "#questions-title"},
		{"remove:0", []string{"What do you want to learn?", "Third"}, "#questions-title"},
		{"up:2", []string{"Tell us about yourself.", "Third", "What do you want to learn?"}, "#q-1"},
		{"up:0", []string{"Tell us about yourself.", "What do you want to learn?", "Third"}, ""},
		{"down:0", []string{"What do you want to learn?", "Tell us about yourself.", "Third"}, "#q-1"},
		{"down:2", []string{"Tell us about yourself.", "What do you want to learn?", "Third"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			v := interviewValues(csrf, tt.action, three)
			v.Set("title", "") // the buttons work even when the form is not valid yet
			rec := ts.do(request{method: "POST", path: "/admin/interviews/new", cookie: admin, form: v})
			wantStatus(t, rec, http.StatusOK, "")
			body := rec.Body.String()
			if got := questionTexts(body); !slices.Equal(got, tt.want) {
				t.Fatalf("questions %q, want %q", got, tt.want)
			}
			wantBody(t, body, "Not saved yet", `name="questions" value="`+strconv.Itoa(len(tt.want))+`"`)
			if strings.Contains(body, `class="problem"`) {
				t.Error("a button that only changes the page shows problems")
			}
			if tt.anchor != "" {
				wantBody(t, body, `value="`+tt.action+`" formnovalidate formaction="/admin/interviews/new`+tt.anchor+`"`)
			}
			if ivs, _ := ts.db.Interviews(); len(ivs) != 0 {
				t.Fatalf("a button other than Save stored the interview: %+v", ivs)
			}
		})
	}
	t.Run("added question's defaults", func(t *testing.T) {
		rec := ts.do(request{method: "POST", path: "/admin/interviews/new", cookie: admin, form: interviewValues(csrf, "add", three)})
		wantBody(t, rec.Body.String(), `name="q.3.min" type="number" min="0" max="60" step="1" inputmode="numeric" value="3"`,
			`name="q.3.sec" type="number" min="0" max="59" step="1" inputmode="numeric" value="00"`,
			`name="q.3.required" type="checkbox" value="1" checked`)
	})
	for _, action := range []string{"remove:3", "up:-1", "down:x", "explode:0", "delete"} {
		t.Run("unknown "+action, func(t *testing.T) {
			rec := ts.do(request{method: "POST", path: "/admin/interviews/new", cookie: admin, form: interviewValues(csrf, action, three)})
			wantStatus(t, rec, http.StatusBadRequest, "")
			wantBody(t, rec.Body.String(), "Reload the page")
		})
	}
}

func TestInterviewEdit(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	iv := sampleInterview()
	iv.Questions[1].Video = true
	iv.Webhook = &storage.Webhook{URL: "https://ats.example.com/takes", Secret: "s3cret"}
	if err := ts.db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	path := "/admin/interviews/" + iv.ID + "/edit"
	rec := ts.do(request{method: "GET", path: path, cookie: admin})
	wantStatus(t, rec, http.StatusOK, "")
	q0, q1 := iv.Questions[0], iv.Questions[1]
	wantBody(t, rec.Body.String(), `value="Backend engineer"`, "Hello &amp; welcome</textarea>", `value="2031-05-06T17:30"`,
		`value="90"`, "new\nphone screen\noffer</textarea>", `name="q.0.id" value="`+q0.ID+`"`,
		`name="q.0.min" type="number" min="0" max="60" step="1" inputmode="numeric" value="2"`,
		`name="q.0.sec" type="number" min="0" max="59" step="1" inputmode="numeric" value="30"`,
		`name="q.0.prep" type="number" min="0" max="600" step="1" inputmode="numeric" value="20"`,
		`name="q.1.retakes" type="number" min="0" max="20" step="1" inputmode="numeric" value="3"`,
		`name="q.1.nolimit" type="checkbox" value="1" class="no-limit" checked`,
		`id="ask-linkedin" name="ask" type="checkbox" value="linkedin" checked`,
		`href="/admin/interviews/`+iv.ID+`/questions/`+q0.ID+`/video">Record video question`,
		`href="/admin/interviews/`+iv.ID+`/questions/`+q1.ID+`/video">Re-record video question`,
		"Video question recorded", `action="`+path+`"`, `href="/admin/interviews/`+iv.ID+`">Cancel`)

	// Swap the questions, edit one, add one, and save.
	next := sampleInterview()
	next.Title, next.Privacy, next.Deadline, next.RetentionDays = "Senior backend engineer", "", time.Time{}, 0
	next.Questions = []storage.Question{
		{ID: q1.ID, Text: "What do you want to learn next?", TimeLimit: 45 * time.Second, Optional: true},
		q0,
		{ID: "forgedid", Text: "A new one", TimeLimit: storage.DefaultTimeLimit},
	}
	next.Fields = []storage.Field{{Name: "city", Label: "City", Kind: storage.FieldText, Required: true}}
	rec = ts.do(request{method: "POST", path: path, cookie: admin, form: interviewValues(csrf, "save", next)})
	wantStatus(t, rec, http.StatusSeeOther, "/admin/interviews/"+iv.ID)
	got := ts.storedInterview(iv.ID)
	if got.Title != "Senior backend engineer" || got.Privacy != "" || !got.Deadline.IsZero() || got.RetentionDays != 0 ||
		got.UpdatedAt.IsZero() || got.Webhook == nil || got.Webhook.Secret != "s3cret" {
		t.Fatalf("stored %+v", got)
	}
	if len(got.Fields) != 1 || got.Fields[0] != next.Fields[0] {
		t.Fatalf("fields %+v", got.Fields)
	}
	qs := got.Questions
	if len(qs) != 3 || qs[0].ID != q1.ID || qs[1].ID != q0.ID || qs[2].ID == "forgedid" || !storage.ValidID(qs[2].ID) {
		t.Fatalf("question IDs %+v", qs)
	}
	if qs[0].Text != "What do you want to learn next?" || qs[0].TimeLimit != 45*time.Second || !qs[0].Video || qs[2].Text != "A new one" {
		t.Fatalf("questions %+v", qs)
	}
}

func TestInterviewDefaultPrivacyFollowsDefault(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	iv := sampleInterview()
	iv.Privacy = storage.DefaultPrivacy
	rec := ts.do(request{method: "POST", path: "/admin/interviews/new", cookie: admin, form: interviewValues(csrf, "save", iv)})
	wantStatus(t, rec, http.StatusSeeOther, "")
	if got := ts.onlyInterview(); got.Privacy != "" || got.PrivacyText() != storage.DefaultPrivacy {
		t.Fatalf("privacy %q", got.Privacy)
	}
}

func TestInterviewAnsweredQuestion(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	iv := sampleInterview()
	if err := ts.db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	inv := &storage.Invitation{InterviewID: iv.ID}
	if err := ts.db.CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	ts.db.AcceptPrivacy(inv.ID)
	if _, err := ts.db.SaveDetails(inv.ID, map[string]string{"name": "Ann", "email": "ann@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.db.BeginTake(inv, iv.Questions[0].ID); err != nil {
		t.Fatal(err)
	}
	path := "/admin/interviews/" + iv.ID + "/edit"

	rec := ts.do(request{method: "GET", path: path, cookie: admin})
	body := rec.Body.String()
	wantBody(t, body, "Candidates have answered this question, so it cannot be removed.", `value="remove:1"`)
	if strings.Contains(body, `value="remove:0"`) {
		t.Error("the answered question has a Remove button")
	}

	rec = ts.do(request{method: "POST", path: path, cookie: admin, form: interviewValues(csrf, "remove:0", iv)})
	wantStatus(t, rec, http.StatusUnprocessableEntity, "")
	wantBody(t, rec.Body.String(), "Question 1: Candidates have answered this question, so it cannot be removed")
	if got := questionTexts(rec.Body.String()); len(got) != 2 {
		t.Fatalf("questions after a refused removal: %q", got)
	}

	// A form without the question (a page opened before the candidate answered).
	stale := sampleInterview()
	stale.ID, stale.Questions = iv.ID, iv.Questions[1:]
	rec = ts.do(request{method: "POST", path: path, cookie: admin, form: interviewValues(csrf, "save", stale)})
	wantStatus(t, rec, http.StatusUnprocessableEntity, "")
	wantBody(t, rec.Body.String(), "The question “Tell us about yourself.” cannot be removed: a candidate has answered it.")
	if got := ts.storedInterview(iv.ID); len(got.Questions) != 2 {
		t.Fatalf("the answered question was removed: %+v", got.Questions)
	}
}

func TestInterviewNotFound(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	iv := sampleInterview()
	for _, id := range []string{"nosuchinterview", "Bad-ID"} {
		path := "/admin/interviews/" + id + "/edit"
		rec := ts.do(request{method: "GET", path: path, cookie: admin})
		wantStatus(t, rec, http.StatusNotFound, "")
		wantBody(t, rec.Body.String(), "There is no interview at this address")
		rec = ts.do(request{method: "POST", path: path, cookie: admin, form: interviewValues(csrf, "save", iv)})
		wantStatus(t, rec, http.StatusNotFound, "")
	}
	if ivs, _ := ts.db.Interviews(); len(ivs) != 0 {
		t.Fatalf("a save to an unknown interview stored %+v", ivs)
	}
}

func TestInterviewPagesRender(t *testing.T) {
	ts, admin, _ := adminServer(t)
	iv := sampleInterview()
	if err := ts.db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/", "/admin/interviews/new", "/admin/interviews/" + iv.ID + "/edit"} {
		rec := ts.do(request{method: "GET", path: path, cookie: admin})
		wantStatus(t, rec, http.StatusOK, "")
		body := rec.Body.String()
		if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
			t.Errorf("%s has inline script or style", path)
		}
		ids := regexp.MustCompile(`<(?:input|textarea)[^>]* id="([^"]+)"`).FindAllStringSubmatch(body, -1)
		for _, m := range ids {
			if !strings.Contains(body, `<label for="`+m[1]+`"`) {
				t.Errorf("%s: the input %s has no label", path, m[1])
			}
		}
		if n := strings.Count(body, "<input") + strings.Count(body, "<textarea"); n != len(ids)+strings.Count(body, `type="hidden"`) {
			t.Errorf("%s: %d inputs, %d with ids", path, n, len(ids))
		}
	}
	rec := ts.do(request{method: "GET", path: "/static/interviews.css"})
	wantStatus(t, rec, http.StatusOK, "")
}

func TestDashboardInterviews(t *testing.T) {
	ts, admin, _ := adminServer(t)
	old := &storage.Interview{Title: "Old <one>", CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Deadline: time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC), Questions: []storage.Question{{Text: "q", Optional: true}}}
	recent := &storage.Interview{Title: "Recent", CreatedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		Questions: []storage.Question{{Text: "a"}, {Text: "b"}, {Text: "c"}}}
	for _, iv := range []*storage.Interview{old, recent} {
		if err := ts.db.CreateInterview(iv); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		inv := &storage.Invitation{InterviewID: old.ID}
		if err := ts.db.CreateInvitation(inv); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			ts.db.AcceptPrivacy(inv.ID)
			ts.db.SaveDetails(inv.ID, map[string]string{"name": "N", "email": "n@example.com"})
			if _, err := ts.db.Submit(old, inv.ID); err != nil {
				t.Fatal(err)
			}
		}
	}

	rec := ts.do(request{method: "GET", path: "/admin/", cookie: admin})
	wantStatus(t, rec, http.StatusOK, "")
	body := rec.Body.String()
	row := func(iv *storage.Interview, rest string) string {
		return `<a href="/admin/interviews/` + iv.ID + `">` + html(iv.Title) + "</a>" + rest
	}
	wantBody(t, body, `href="/admin/interviews/new">New interview`,
		row(recent, "\n        <span class=\"meta\">created 1 Jun 2025, 00:00 UTC</span></th>\n      <td class=\"num\">3</td>\n      <td class=\"num\">0</td>\n      <td class=\"num\">0</td>"),
		row(old, "\n        <span class=\"meta\">created 1 Jan 2024, 00:00 UTC</span></th>\n      <td class=\"num\">1</td>\n      <td class=\"num\">3</td>\n      <td class=\"num\">1</td>"),
		`1 Feb 2024, 12:00 UTC <span class="tag closed">closed</span>`, `href="/admin/interviews/`+recent.ID+`/edit"`)
	if strings.Index(body, "Recent") > strings.Index(body, "Old &lt;one&gt;") {
		t.Error("the dashboard does not list the newest interview first")
	}

	rev, _ := ts.signIn("rev@example.com")
	rec = ts.do(request{method: "GET", path: "/admin/", cookie: rev})
	wantStatus(t, rec, http.StatusOK, "")
	body = rec.Body.String()
	wantBody(t, body, row(recent, ""))
	if strings.Contains(body, "/admin/interviews/new") || strings.Contains(body, "/edit") {
		t.Error("a reviewer is offered to create or edit interviews")
	}
}

func TestDashboardEmpty(t *testing.T) {
	ts, admin, _ := adminServer(t)
	rec := ts.do(request{method: "GET", path: "/admin/", cookie: admin})
	wantStatus(t, rec, http.StatusOK, "")
	wantBody(t, rec.Body.String(), "There are no interviews yet.", "New interview")
}

// TestInterviewNoRetakes: 0 retakes in the form is one take only, and reads back as 0.
func TestInterviewNoRetakes(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	iv := sampleInterview()
	v := interviewValues(csrf, "save", iv)
	v.Set("q.0.retakes", "0")
	rec := ts.do(request{method: "POST", path: "/admin/interviews/new", cookie: admin, form: v})
	wantStatus(t, rec, http.StatusSeeOther, "")
	got := ts.onlyInterview()
	if got.Questions[0].RetakeLimit != storage.NoRetakes {
		t.Fatalf("retake limit %d, want NoRetakes", got.Questions[0].RetakeLimit)
	}
	rec = ts.do(request{method: "GET", path: "/admin/interviews/" + got.ID + "/edit", cookie: admin})
	wantBody(t, rec.Body.String(), `name="q.0.retakes" type="number" min="0" max="20" step="1" inputmode="numeric" value="0"`)
}

func TestInterviewDroppedQuestionLosesItsVideo(t *testing.T) {
	ts, admin, csrf := adminServer(t)
	iv := sampleInterview()
	iv.Questions[1].Video = true
	if err := ts.db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	f, err := ts.media.CreateQuestionVideo(iv.ID, iv.Questions[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("video"), 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	next := *iv
	next.Questions = iv.Questions[:1]
	rec := ts.do(request{method: "POST", path: "/admin/interviews/" + iv.ID + "/edit", cookie: admin, form: interviewValues(csrf, "save", &next)})
	wantStatus(t, rec, http.StatusSeeOther, "/admin/interviews/"+iv.ID)
	if mf, err := ts.media.OpenQuestionVideo(iv.ID, iv.Questions[1].ID); err == nil {
		mf.Close()
		t.Fatal("the dropped question's video is still on disk")
	}
}
