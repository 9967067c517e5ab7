package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/takes/takes/storage"
)

// invFixture is a server with an admin, a reviewer and an interview of two questions.
type invFixture struct {
	*testServer
	iv                         *storage.Interview
	admin, reviewer            *http.Cookie
	adminCSRF, reviewerCSRF    string
	deadline                   time.Time
	overview, invitePath, csvP string
}

func newInvFixture(t *testing.T, cfg AuthConfig) *invFixture {
	t.Helper()
	ts := newTestServer(t, cfg)
	ts.addUser("admin@example.com", storage.RoleAdmin, false)
	ts.addUser("rev@example.com", storage.RoleReviewer, false)
	f := &invFixture{testServer: ts, deadline: time.Date(2040, 3, 4, 12, 30, 0, 0, time.UTC)}
	f.admin, f.adminCSRF = ts.signIn("admin@example.com")
	f.reviewer, f.reviewerCSRF = ts.signIn("rev@example.com")
	f.iv = &storage.Interview{Title: "Backend engineer", Deadline: f.deadline, Questions: []storage.Question{
		{Text: "Tell us about yourself", TimeLimit: 3 * time.Minute, Video: true},
		{Text: "Why this team?", TimeLimit: 90 * time.Second, RetakeLimit: 2, Optional: true},
	}}
	if err := ts.db.CreateInterview(f.iv); err != nil {
		t.Fatal(err)
	}
	f.overview = "/admin/interviews/" + f.iv.ID
	f.invitePath = f.overview + "/invitations"
	f.csvP = f.overview + "/invitations.csv"
	return f
}

// invite stores candidates directly.
func (f *invFixture) invite(cands ...storage.Invitation) []storage.Invitation {
	f.t.Helper()
	invs, err := f.db.CreateInvitations(f.iv.ID, cands)
	if err != nil {
		f.t.Fatal(err)
	}
	return invs
}

// submit takes a candidate through the interview to submission.
func (f *invFixture) submit(inv *storage.Invitation) {
	f.t.Helper()
	must := func(_ any, err error) {
		if err != nil {
			f.t.Fatal(err)
		}
	}
	must(f.db.MarkOpened(inv.ID))
	must(f.db.AcceptPrivacy(inv.ID))
	must(f.db.SaveDetails(inv.ID, map[string]string{"name": inv.Name, "email": "x@example.com"}))
	tk, err := f.db.BeginTake(inv, f.iv.Questions[0].ID)
	must(tk, err)
	must(f.db.FinishTake(tk.TakeKey, storage.Finish{DurationMs: 1000, Bytes: 100, End: storage.EndStop}))
	must(f.db.Submit(f.iv, inv.ID))
}

func (f *invFixture) get(path string, c *http.Cookie) string {
	f.t.Helper()
	rec := f.do(request{method: "GET", path: path, cookie: c})
	wantStatus(f.t, rec, http.StatusOK, "")
	return rec.Body.String()
}

func (f *invFixture) post(path string, c *http.Cookie, form url.Values) (int, string, string) {
	f.t.Helper()
	rec := f.do(request{method: "POST", path: path, cookie: c, form: form})
	return rec.Code, rec.Header().Get("Location"), rec.Body.String()
}

func invWant(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
}

func invWantNot(t *testing.T, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Errorf("the page has %q", n)
		}
	}
}

func TestInterviewOverview(t *testing.T) {
	f := newInvFixture(t, AuthConfig{})
	invs := f.invite(storage.Invitation{Name: "Ada Lovelace", Email: "ada@example.com"},
		storage.Invitation{Name: "Bob Opened"}, storage.Invitation{Name: "Cy Done"}, storage.Invitation{Email: "dee@example.com"})
	if _, err := f.db.MarkOpened(invs[1].ID); err != nil {
		t.Fatal(err)
	}
	f.submit(&invs[2])
	if _, err := f.db.SetInvitationDeadline(invs[3].ID, time.Date(2041, 1, 2, 3, 4, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}

	t.Run("admin", func(t *testing.T) {
		body := f.get(f.overview, f.admin)
		invWant(t, body, "Backend engineer", "Deadline: 4 Mar 2040, 12:30 UTC",
			"Tell us about yourself", "Why this team?", "3 min", "90 s", "unlimited", "video question", "text only",
			"required", "optional",
			`href="/admin/interviews/`+f.iv.ID+`/edit"`, `href="/admin/interviews/`+f.iv.ID+`/candidates"`,
			"Ada Lovelace", "ada@example.com", "Bob Opened", "dee@example.com",
			">invited<", ">opened<", ">submitted<",
			`href="/admin/candidates/`+invs[2].ID+`"`,
			"2 Jan 2041, 03:04 UTC", "(their own)", "(the interview’s)",
			`action="/admin/invitations/`+invs[0].ID+`/revoke"`, `action="/admin/invitations/`+invs[0].ID+`/deadline"`,
			`action="/admin/interviews/`+f.iv.ID+`/invitations"`, `href="/admin/interviews/`+f.iv.ID+`/invitations.csv"`,
			`value="2040-03-04T12:30"`)
		for _, inv := range invs {
			invWant(t, body, `value="http://example.com/i/`+inv.Token+`"`)
		}
		// A submitted candidate's link can no longer be revoked nor their deadline changed.
		invWantNot(t, body, `/admin/invitations/`+invs[2].ID+`/revoke`, `/admin/invitations/`+invs[2].ID+`/deadline`)
		invWantNot(t, body, `href="/admin/candidates/`+invs[0].ID+`"`)
	})
	t.Run("reviewer", func(t *testing.T) {
		body := f.get(f.overview, f.reviewer)
		invWant(t, body, "Backend engineer", "Tell us about yourself", "Ada Lovelace", ">opened<",
			`href="/admin/interviews/`+f.iv.ID+`/candidates"`, `href="/admin/candidates/`+invs[2].ID+`"`)
		for _, inv := range invs {
			invWantNot(t, body, inv.Token)
		}
		invWantNot(t, body, "/i/", "Edit interview", "/revoke", "/deadline", "invitations.csv", `name="lines"`)
	})
	t.Run("not signed in", func(t *testing.T) {
		wantStatus(t, f.do(request{method: "GET", path: f.overview}), http.StatusSeeOther, "/login")
	})
	for _, path := range []string{"/admin/interviews/nosuchinterview0", "/admin/interviews/Not-An-ID"} {
		t.Run("unknown "+path, func(t *testing.T) {
			rec := f.do(request{method: "GET", path: path, cookie: f.admin})
			wantStatus(t, rec, http.StatusNotFound, "")
			invWant(t, rec.Body.String(), "There is no interview at this address")
		})
	}
}

func TestInterviewOverviewEmpty(t *testing.T) {
	f := newInvFixture(t, AuthConfig{})
	invWant(t, f.get(f.overview, f.admin), "Nobody is invited yet.", `name="lines"`)
}

func TestInvitationLinkUsesPublicURL(t *testing.T) {
	f := newInvFixture(t, AuthConfig{PublicURL: "https://takes.example.org/"})
	inv := f.invite(storage.Invitation{Name: "Ada"})[0]
	body := f.get(f.overview, f.admin)
	invWant(t, body, `value="https://takes.example.org/i/`+inv.Token+`"`)
	invWantNot(t, body, "http://example.com/i/")
}

func TestInvite(t *testing.T) {
	f := newInvFixture(t, AuthConfig{})
	lines := "Ada Lovelace, ada@example.com\n\n  bob@example.com  \nCy Young <cy@example.com>\r\nDee Only\nLovelace, Ada, ada2@example.com\n"
	code, _, body := f.post(f.invitePath, f.admin, url.Values{"csrf": {f.adminCSRF}, "lines": {lines}})
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	sums, err := f.db.InvitationSummaries(f.iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, email string }{
		{"Ada Lovelace", "ada@example.com"}, {"", "bob@example.com"}, {"Cy Young", "cy@example.com"},
		{"Dee Only", ""}, {"Lovelace, Ada", "ada2@example.com"},
	}
	if len(sums) != len(want) {
		t.Fatalf("%d invitations stored, want %d", len(sums), len(want))
	}
	for i, w := range want {
		if sums[i].Name != w.name || sums[i].Email != w.email {
			t.Errorf("invitation %d: %q <%s>, want %q <%s>", i, sums[i].Name, sums[i].Email, w.name, w.email)
		}
		invWant(t, body, `value="http://example.com/i/`+sums[i].Token+`"`)
	}
	invWant(t, body, "5 candidates invited", "5 invitation links were created",
		"Ada Lovelace, ada@example.com, http://example.com/i/"+sums[0].Token+"\n", `data-copy="all-links"`,
		`href="/admin/interviews/`+f.iv.ID+`/invitations.csv"`, "/static/invitations.js")
}

func TestInviteRefuses(t *testing.T) {
	f := newInvFixture(t, AuthConfig{})
	many := strings.Repeat("someone\n", maxInvitees+1)
	tests := []struct {
		name   string
		cookie *http.Cookie
		form   url.Values
		path   string
		code   int
		says   []string
	}{
		{"bad lines", f.admin, url.Values{"csrf": {f.adminCSRF},
			"lines": {"Ada, ada@example.com\nBob, not-an-email\n\nCy <cy@>\nDee, ADA@example.com\n=evil, x@@y"}},
			f.invitePath, http.StatusUnprocessableEntity,
			[]string{"No invitations were created", "Line 2: after the last comma, “not-an-email” is not an email address",
				"Line 4: “cy@” is not an email address", "Line 5: the email ADA@example.com is also on line 1",
				"Line 6: “x@@y” is not an email address", `aria-invalid="true"`, "Bob, not-an-email"}},
		{"nothing", f.admin, url.Values{"csrf": {f.adminCSRF}, "lines": {" \n \n"}}, f.invitePath,
			http.StatusUnprocessableEntity, []string{"There is nobody to invite"}},
		{"too many", f.admin, url.Values{"csrf": {f.adminCSRF}, "lines": {many}}, f.invitePath,
			http.StatusUnprocessableEntity, []string{fmt.Sprintf("There are %d candidates; invite at most 500", maxInvitees+1)}},
		{"reviewer", f.reviewer, url.Values{"csrf": {f.reviewerCSRF}, "lines": {"Ada"}}, f.invitePath,
			http.StatusForbidden, []string{"Only admins can do this"}},
		{"no CSRF token", f.admin, url.Values{"lines": {"Ada"}}, f.invitePath,
			http.StatusForbidden, []string{"This form has expired"}},
		{"not signed in", nil, url.Values{"lines": {"Ada"}}, f.invitePath, http.StatusSeeOther, nil},
		{"unknown interview", f.admin, url.Values{"csrf": {f.adminCSRF}, "lines": {"Ada"}},
			"/admin/interviews/nosuchinterview0/invitations", http.StatusNotFound, []string{"There is no interview"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := f.post(tt.path, tt.cookie, tt.form)
			if code != tt.code {
				t.Fatalf("status %d, want %d: %s", code, tt.code, body)
			}
			invWant(t, body, tt.says...)
			if invs, _ := f.db.Invitations(f.iv.ID); len(invs) != 0 {
				t.Fatalf("%d invitations were created", len(invs))
			}
		})
	}
}

func TestParseInvitees(t *testing.T) {
	tests := []struct {
		line, name, email, problem string
	}{
		{"Ada, ada@example.com", "Ada", "ada@example.com", ""},
		{"Ada,", "Ada", "", ""},
		{"Ada\tada@example.com", "Ada", "ada@example.com", ""},
		{`"Lovelace, Ada" <ada@example.com>`, "Lovelace, Ada", "ada@example.com", ""},
		{"<ada@example.com>", "", "ada@example.com", ""},
		{"ada@example.com", "", "ada@example.com", ""},
		{"Ada Lovelace", "Ada Lovelace", "", ""},
		{"Ada, <ada@example.com>", "Ada", "ada@example.com", ""},
		{",", "", "", "there is neither a name nor an email"},
		{"Ada <>", "", "", "there is no email between < and >"},
		{"Ada, ada@", "", "", "“ada@” is not an email"},
		{"Ada, Ada <ada@example.com>x", "", "", "“Ada <ada@example.com>x” is not an email"},
		{"Doe, John", "", "", "after the last comma, “John” is not an email address"},
		{strings.Repeat("n", maxInviteeName+1), "", "", "longer than 200"},
		{"Ada\x07, ada@example.com", "", "", "characters that cannot be shown"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			invs, problems := parseInvitees(tt.line)
			if tt.problem != "" {
				if len(problems) != 1 || !strings.Contains(problems[0], tt.problem) || invs != nil {
					t.Fatalf("problems %q, invitations %v; want one problem with %q", problems, invs, tt.problem)
				}
				return
			}
			if len(problems) != 0 || len(invs) != 1 || invs[0].Name != tt.name || invs[0].Email != tt.email {
				t.Fatalf("got %+v, %q; want %q <%s>", invs, problems, tt.name, tt.email)
			}
		})
	}
}

func TestInvitationsCSV(t *testing.T) {
	f := newInvFixture(t, AuthConfig{})
	invs := f.invite(storage.Invitation{Name: "Ada, \"the first\"", Email: "ada@example.com"},
		storage.Invitation{Name: "=HYPERLINK(\"http://evil\")"}, storage.Invitation{Name: "@SUM(A1)", Email: "+1@example.com"},
		storage.Invitation{Name: "Cy Done"}, storage.Invitation{Name: "-Rev"})
	f.submit(&invs[3])
	if _, err := f.db.RevokeInvitation(invs[4].ID); err != nil {
		t.Fatal(err)
	}
	own := time.Date(2041, 1, 2, 3, 4, 0, 0, time.UTC)
	if _, err := f.db.SetInvitationDeadline(invs[0].ID, own); err != nil {
		t.Fatal(err)
	}

	rec := f.do(request{method: "GET", path: f.csvP, cookie: f.admin})
	wantStatus(t, rec, http.StatusOK, "")
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename=backend-engineer-invitations.csv` {
		t.Errorf("Content-Disposition %q", cd)
	}
	records, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1+len(invs) {
		t.Fatalf("%d records, want %d", len(records), 1+len(invs))
	}
	if got := strings.Join(records[0], ","); got != "name,email,link,status,invited_at,opened_at,submitted_at,deadline" {
		t.Fatalf("header %q", got)
	}
	byLink := make(map[string][]string)
	for _, r := range records[1:] {
		byLink[r[2]] = r
	}
	row := func(i int) []string {
		r, ok := byLink["http://example.com/i/"+invs[i].Token]
		if !ok {
			t.Fatalf("no row has the link of invitation %d", i)
		}
		return r
	}
	checks := []struct {
		i                             int
		name, email, status, deadline string
		opened, submitted             bool
	}{
		{0, `Ada, "the first"`, "ada@example.com", "invited", "2041-01-02T03:04:00Z", false, false},
		{1, `'=HYPERLINK("http://evil")`, "", "invited", "2040-03-04T12:30:00Z", false, false},
		{2, "'@SUM(A1)", "'+1@example.com", "invited", "2040-03-04T12:30:00Z", false, false},
		{3, "Cy Done", "", "submitted", "2040-03-04T12:30:00Z", true, true},
		{4, "'-Rev", "", "revoked", "2040-03-04T12:30:00Z", false, false},
	}
	for _, c := range checks {
		r := row(c.i)
		if r[0] != c.name || r[1] != c.email || r[3] != c.status || r[7] != c.deadline {
			t.Errorf("row %d = %q; want name %q, email %q, status %q, deadline %q", c.i, r, c.name, c.email, c.status, c.deadline)
		}
		if _, err := time.Parse(time.RFC3339, r[4]); err != nil {
			t.Errorf("row %d invited_at %q: %v", c.i, r[4], err)
		}
		if (r[5] != "") != c.opened || (r[6] != "") != c.submitted {
			t.Errorf("row %d opened_at %q, submitted_at %q", c.i, r[5], r[6])
		}
	}

	for _, tt := range []struct {
		name   string
		cookie *http.Cookie
		path   string
		code   int
	}{
		{"reviewer", f.reviewer, f.csvP, http.StatusForbidden},
		{"not signed in", nil, f.csvP, http.StatusSeeOther},
		{"unknown interview", f.admin, "/admin/interviews/nosuchinterview0/invitations.csv", http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(request{method: "GET", path: tt.path, cookie: tt.cookie})
			wantStatus(t, rec, tt.code, "")
			invWantNot(t, rec.Body.String(), invs[0].Token)
		})
	}
}

func TestCSVFileName(t *testing.T) {
	for title, want := range map[string]string{
		"Backend engineer, Berlin": "backend-engineer-berlin-invitations.csv",
		"  ¿Qué?  ":                "qu-invitations.csv",
		"日本語":                      "interview-invitations.csv",
		strings.Repeat("ab ", 30):  strings.Repeat("ab-", 13) + "a-invitations.csv",
	} {
		if got := csvFileName(title); got != want {
			t.Errorf("csvFileName(%q) = %q, want %q", title, got, want)
		}
	}
}

func TestRevokeInvitationRoute(t *testing.T) {
	f := newInvFixture(t, AuthConfig{})
	invs := f.invite(storage.Invitation{Name: "Ada"}, storage.Invitation{Name: "Cy Done"})
	ada, done := invs[0], invs[1]
	f.submit(&done)
	path := "/admin/invitations/" + ada.ID + "/revoke"
	revoked := func() bool {
		inv, err := f.db.Invitation(ada.ID)
		if err != nil {
			t.Fatal(err)
		}
		return inv.Revoked()
	}

	refusals := []struct {
		name   string
		cookie *http.Cookie
		form   url.Values
		path   string
		code   int
		says   string
	}{
		{"reviewer", f.reviewer, url.Values{"csrf": {f.reviewerCSRF}}, path, http.StatusForbidden, "Only admins"},
		{"no CSRF token", f.admin, url.Values{}, path, http.StatusForbidden, "This form has expired"},
		{"not signed in", nil, url.Values{}, path, http.StatusSeeOther, ""},
		{"unknown", f.admin, url.Values{"csrf": {f.adminCSRF}}, "/admin/invitations/nosuchinvitation/revoke",
			http.StatusNotFound, "There is no candidate at this address"},
		{"submitted", f.admin, url.Values{"csrf": {f.adminCSRF}}, "/admin/invitations/" + done.ID + "/revoke",
			http.StatusConflict, "Cy Done has already submitted their answers"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := f.post(tt.path, tt.cookie, tt.form)
			if code != tt.code {
				t.Fatalf("status %d, want %d: %s", code, tt.code, body)
			}
			invWant(t, body, tt.says)
			if revoked() {
				t.Fatal("revoked anyway")
			}
		})
	}
	if inv, _ := f.db.Invitation(done.ID); inv.Revoked() {
		t.Fatal("a submitted invitation was revoked")
	}

	code, loc, body := f.post(path, f.admin, url.Values{"csrf": {f.adminCSRF}})
	if code != http.StatusSeeOther || loc != f.overview+"?revoked="+ada.ID {
		t.Fatalf("status %d to %q: %s", code, loc, body)
	}
	if !revoked() {
		t.Fatal("not revoked")
	}
	page := f.get(loc, f.admin)
	invWant(t, page, "Ada’s link is revoked", ">revoked<", "Revoked ")
	invWantNot(t, page, ada.Token, `/admin/invitations/`+ada.ID+`/revoke`)
	if _, err := f.db.InvitationByToken(ada.Token); err != nil {
		t.Fatalf("the revoked token no longer resolves: %v", err)
	}
}

func TestSetInvitationDeadlineRoute(t *testing.T) {
	f := newInvFixture(t, AuthConfig{})
	invs := f.invite(storage.Invitation{Name: "Ada"}, storage.Invitation{Name: "Cy Done"})
	ada, done := invs[0], invs[1]
	f.submit(&done)
	path := "/admin/invitations/" + ada.ID + "/deadline"
	deadline := func() time.Time {
		inv, err := f.db.Invitation(ada.ID)
		if err != nil {
			t.Fatal(err)
		}
		return inv.Deadline
	}
	form := func(csrf, v string) url.Values { return url.Values{"csrf": {csrf}, "deadline": {v}, "action": {"set"}} }

	refusals := []struct {
		name   string
		cookie *http.Cookie
		form   url.Values
		path   string
		code   int
		says   string
	}{
		{"reviewer", f.reviewer, form(f.reviewerCSRF, "2042-01-01T10:00"), path, http.StatusForbidden, "Only admins"},
		{"no CSRF token", f.admin, form("", "2042-01-01T10:00"), path, http.StatusForbidden, "This form has expired"},
		{"not signed in", nil, form("", "2042-01-01T10:00"), path, http.StatusSeeOther, ""},
		{"empty", f.admin, form(f.adminCSRF, ""), path, http.StatusUnprocessableEntity, "Choose a date and time"},
		{"not a date", f.admin, form(f.adminCSRF, "next friday"), path, http.StatusUnprocessableEntity,
			"“next friday” is not a date and time"},
		{"impossible date", f.admin, form(f.adminCSRF, "2042-02-30T10:00"), path, http.StatusUnprocessableEntity,
			"is not a date and time"},
		{"passed", f.admin, form(f.adminCSRF, "2001-01-01T10:00"), path, http.StatusUnprocessableEntity,
			"The deadline 1 Jan 2001, 10:00 UTC has already passed"},
		{"unknown", f.admin, form(f.adminCSRF, "2042-01-01T10:00"), "/admin/invitations/nosuchinvitation/deadline",
			http.StatusNotFound, "There is no candidate at this address"},
		{"submitted", f.admin, form(f.adminCSRF, "2042-01-01T10:00"), "/admin/invitations/" + done.ID + "/deadline",
			http.StatusConflict, "Cy Done has already submitted"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := f.post(tt.path, tt.cookie, tt.form)
			if code != tt.code {
				t.Fatalf("status %d, want %d: %s", code, tt.code, body)
			}
			invWant(t, body, tt.says)
			if tt.code == http.StatusUnprocessableEntity {
				invWant(t, body, "Backend engineer", `id="deadline-`+ada.ID+`"`) // the page again, to correct it
			}
			if !deadline().IsZero() {
				t.Fatal("deadline set anyway")
			}
		})
	}

	code, loc, body := f.post(path, f.admin, form(f.adminCSRF, "2042-01-01T10:00"))
	if code != http.StatusSeeOther || loc != f.overview+"?deadline="+ada.ID {
		t.Fatalf("status %d to %q: %s", code, loc, body)
	}
	if want := time.Date(2042, 1, 1, 10, 0, 0, 0, time.UTC); !deadline().Equal(want) {
		t.Fatalf("deadline %v, want %v", deadline(), want)
	}
	invWant(t, f.get(loc, f.admin), "Ada’s deadline is now 1 Jan 2042, 10:00 UTC.", `value="2042-01-01T10:00"`,
		"Use the interview’s deadline")

	code, _, body = f.post(path, f.admin, url.Values{"csrf": {f.adminCSRF}, "action": {"clear"}, "deadline": {"2042-01-01T10:00"}})
	if code != http.StatusSeeOther {
		t.Fatalf("clear: status %d: %s", code, body)
	}
	if !deadline().IsZero() {
		t.Fatalf("deadline not cleared: %v", deadline())
	}
	invWant(t, f.get(loc, f.admin), "Ada now has the interview’s deadline.")
}

func TestInterviewOverviewDeadlinePassed(t *testing.T) {
	f := newInvFixture(t, AuthConfig{})
	f.iv.Deadline = time.Date(2001, 1, 1, 9, 0, 0, 0, time.UTC)
	if err := f.db.UpdateInterview(f.iv); err != nil {
		t.Fatal(err)
	}
	invWant(t, f.get(f.overview, f.reviewer), "The deadline, 1 Jan 2001, 09:00 UTC, has passed")
}
