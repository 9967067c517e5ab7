package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// An interview's page shows its questions and its candidates; admins also see
// each candidate's link, invite more candidates, revoke links and give a
// candidate a later deadline. Links are secrets: reviewers never see them.

// invitationStore is what this file's handlers need of the record store.
type invitationStore interface {
	CreateInvitations(interviewID string, invs []storage.Invitation) ([]storage.Invitation, error)
	RevokeInvitation(id string) (*storage.Invitation, error)
	SetInvitationDeadline(id string, t time.Time) (*storage.Invitation, error)
	InvitationSummaries(interviewID string) ([]storage.InvitationSummary, error)
	Invitation(id string) (*storage.Invitation, error)
}

func (s *Server) invitationRoutes(mux *http.ServeMux) {
	admin := storage.RoleAdmin
	mux.Handle("GET /admin/interviews/{id}", s.requireUser(s.interviewOverview))
	mux.Handle("POST /admin/interviews/{id}/invitations", s.requireUser(s.invite, admin))
	mux.Handle("GET /admin/interviews/{id}/invitations.csv", s.requireUser(s.invitationsCSV, admin))
	mux.Handle("POST /admin/invitations/{inv}/revoke", s.requireUser(s.revokeInvitation, admin))
	mux.Handle("POST /admin/invitations/{inv}/deadline", s.requireUser(s.setInvitationDeadline, admin))
}

// overviewPage is the data of an interview's page (interview.html).
type overviewPage struct {
	page
	Interview *storage.Interview
	Rows      []candidateRow
	Lines     string   // the invite form's text, when it is shown again
	Problems  []string // what is wrong with Lines, line by line
}

// DeadlinePassed reports whether the interview's deadline has passed.
func (o overviewPage) DeadlinePassed() bool {
	d := o.Interview.Deadline
	return !d.IsZero() && !time.Now().Before(d)
}

// overviewQuestion is a question with its number.
type overviewQuestion struct {
	N int
	storage.Question
}

// QuestionRows returns the interview's questions, numbered from 1.
func (o overviewPage) QuestionRows() []overviewQuestion {
	rows := make([]overviewQuestion, len(o.Interview.Questions))
	for i, q := range o.Interview.Questions {
		rows[i] = overviewQuestion{N: i + 1, Question: q}
	}
	return rows
}

// candidateRow is one candidate in the interview's table.
type candidateRow struct {
	storage.InvitationSummary
	// Link is the candidate's address, for admins only; Token is always blanked.
	Link string
	// InterviewDeadline is the interview's deadline, which applies when the candidate has none of their own.
	InterviewDeadline time.Time
}

// Changeable reports whether the link can still be revoked or given a deadline.
func (c candidateRow) Changeable() bool {
	return c.SubmittedAt.IsZero() && !c.Revoked()
}

// StatusClass is the CSS class of the row's status.
func (c candidateRow) StatusClass() string {
	return "inv-status-" + strings.ReplaceAll(string(c.Status()), " ", "-")
}

// DisplayName is the candidate's name, or their email, or a placeholder.
func (c candidateRow) DisplayName() string {
	switch {
	case c.Name != "":
		return c.Name
	case c.Email != "":
		return c.Email
	}
	return "Unnamed candidate"
}

// interviewOverview shows an interview: its questions and its candidates.
func (s *Server) interviewOverview(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.pathInterview(w, r)
	if !ok {
		return
	}
	s.showOverview(w, r, http.StatusOK, iv, overviewPage{})
}

// showOverview renders the interview's page with data's form and messages.
func (s *Server) showOverview(w http.ResponseWriter, r *http.Request, status int, iv *storage.Interview, data overviewPage) {
	sums, err := s.store.InvitationSummaries(iv.ID)
	if err != nil {
		s.serverError(w, r, "list invitations", err)
		return
	}
	p := s.pageFor(r, iv.Title)
	p.Error = data.Error
	data.page, data.Interview, data.Rows = p, iv, s.candidateRows(r, iv, sums)
	if data.Notice == "" {
		data.Notice = changeNotice(r, data.Rows)
	}
	s.render(w, status, "interview", data)
}

// candidateRows makes the table's rows; only admins get the links.
func (s *Server) candidateRows(r *http.Request, iv *storage.Interview, sums []storage.InvitationSummary) []candidateRow {
	admin := userFrom(r).IsAdmin()
	rows := make([]candidateRow, len(sums))
	for i, sum := range sums {
		rows[i] = candidateRow{InvitationSummary: sum, InterviewDeadline: iv.Deadline}
		if admin {
			rows[i].Link = s.invitationLink(r, sum.Token)
		}
		rows[i].Token = ""
	}
	return rows
}

// changeNotice says what the last revoke or deadline change did, as named in the
// query of the redirect that followed it.
func changeNotice(r *http.Request, rows []candidateRow) string {
	q := r.URL.Query()
	if q.Get("notice") == "deleted" {
		return "The candidate and their recordings were deleted."
	}
	for _, row := range rows {
		switch row.ID {
		case q.Get("revoked"):
			if row.Revoked() {
				return row.DisplayName() + "’s link is revoked: it no longer opens the interview."
			}
		case q.Get("deadline"):
			if row.Deadline.IsZero() {
				return row.DisplayName() + " now has the interview’s deadline."
			}
			return row.DisplayName() + "’s deadline is now " + formatTime(row.Deadline) + "."
		}
	}
	return ""
}

// invitationLink is the full address of a candidate's link: on the public URL
// when one is set, else on the address the request came to.
func (s *Server) invitationLink(r *http.Request, token string) string {
	base := strings.TrimSuffix(s.auth.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/i/" + token
}

// revokeInvitation withdraws a candidate's link.
func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.pathInvitation(w, r)
	if !ok {
		return
	}
	if _, err := s.store.RevokeInvitation(inv.ID); err != nil {
		s.invitationChangeFailed(w, r, inv, "revoke invitation", err)
		return
	}
	s.endCandidate(inv.ID)
	s.log.Info("invitation revoked", slog.String("invitation", inv.ID), slog.String("by", userFrom(r).Email))
	http.Redirect(w, r, "/admin/interviews/"+inv.InterviewID+"?revoked="+inv.ID, http.StatusSeeOther)
}

// setInvitationDeadline gives a candidate their own deadline, or (action
// "clear") takes it away so the interview's applies again.
func (s *Server) setInvitationDeadline(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.pathInvitation(w, r)
	if !ok {
		return
	}
	var t time.Time
	if r.PostFormValue("action") != "clear" {
		var msg string
		if t, msg = parseDeadline(r.PostFormValue("deadline"), time.Now()); msg != "" {
			s.overviewError(w, r, http.StatusUnprocessableEntity, inv, msg)
			return
		}
	}
	if _, err := s.store.SetInvitationDeadline(inv.ID, t); err != nil {
		s.invitationChangeFailed(w, r, inv, "set invitation deadline", err)
		return
	}
	s.log.Info("invitation deadline set", slog.String("invitation", inv.ID), slog.Time("deadline", t),
		slog.String("by", userFrom(r).Email))
	http.Redirect(w, r, "/admin/interviews/"+inv.InterviewID+"?deadline="+inv.ID, http.StatusSeeOther)
}

// invitationChangeFailed answers a revoke or a deadline change that the store refused.
func (s *Server) invitationChangeFailed(w http.ResponseWriter, r *http.Request, inv *storage.Invitation, what string, err error) {
	switch {
	case errors.Is(err, storage.ErrSubmitted):
		s.overviewError(w, r, http.StatusConflict, inv, candidateName(inv)+
			" has already submitted their answers, so their link and deadline can no longer change.")
	case errors.Is(err, storage.ErrNotFound):
		s.showMessage(w, r, http.StatusNotFound, "Candidate not found",
			"This candidate no longer exists: someone deleted them a moment ago.")
	default:
		s.serverError(w, r, what, err)
	}
}

// overviewError shows the page of inv's interview with msg in its alert.
func (s *Server) overviewError(w http.ResponseWriter, r *http.Request, status int, inv *storage.Invitation, msg string) {
	iv, err := s.store.Interview(inv.InterviewID)
	if err != nil {
		s.serverError(w, r, "load interview", err)
		return
	}
	s.showOverview(w, r, status, iv, overviewPage{page: page{Error: msg}})
}

// candidateName is how messages name the candidate of inv.
func candidateName(inv *storage.Invitation) string {
	return candidateRow{InvitationSummary: storage.InvitationSummary{Invitation: *inv}}.DisplayName()
}

// parseDeadline reads a deadline from an <input type="datetime-local"> in UTC. It
// returns what is wrong with it, or "", and refuses a time that has passed at now.
func parseDeadline(v string, now time.Time) (time.Time, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, "Choose a date and time for the new deadline, then press “Set deadline”."
	}
	var t time.Time
	var err error
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err = time.ParseInLocation(layout, v, time.UTC); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, "“" + v + "” is not a date and time. Pick one with the date picker, " +
			"or write it like 2030-06-30T17:00 (UTC)."
	}
	if !t.After(now) {
		return time.Time{}, "The deadline " + formatTime(t) + " has already passed. Choose a later time; " +
			"to stop a link from working now, revoke it."
	}
	return t, ""
}
