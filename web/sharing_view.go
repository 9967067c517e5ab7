package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/takes/takes/storage"
)

// The read-only view behind a review link (/s/{token}): one submitted
// candidate's details and answers, without an account, and without the
// reviewers' ratings, comments or any form.

// sharePage is the data of share.html.
type sharePage struct {
	page
	Name        string
	Interview   *storage.Interview
	Details     []shareDetail
	SubmittedAt time.Time
	ExpiresAt   time.Time
	Answers     answersView
}

// shareDetail is one personal detail the candidate gave.
type shareDetail struct {
	Label, Value string
}

// msgShareGone is all a review link that does not work says: expired,
// withdrawn, deleted or never made.
const msgShareGone = "This review link has expired or was withdrawn. Ask the person who sent it to you for a new one."

// sharePage shows the candidate of a review link, and records the view.
func (s *Server) sharePage(w http.ResponseWriter, r *http.Request) {
	sh, inv, iv, ok := s.shareOpen(w, r)
	if !ok {
		return
	}
	mediaURL := func(q string) string { return "/s/" + sh.Token + "/takes/" + q }
	answers, err := s.answersView(r, inv, iv, mediaURL, true)
	if err != nil {
		s.serverError(w, r, "review link page", err)
		return
	}
	answers.ShowReviews = false
	for i := range answers.Answers {
		answers.Answers[i].DownloadURL = "" // the hiring manager watches; downloads stay with the recruiters
	}
	name := reviewName(inv)
	data := sharePage{page: page{Title: name + " · " + iv.Title}, Name: name, Interview: iv,
		SubmittedAt: inv.SubmittedAt, ExpiresAt: sh.ExpiresAt, Answers: answers}
	for _, f := range iv.AskedFields() {
		if v := inv.Details[f.Name]; v != "" {
			data.Details = append(data.Details, shareDetail{Label: f.Label, Value: v})
		}
	}
	if r.Method != http.MethodHead {
		s.audit(r, storage.AuditEntry{Actor: "share " + sh.ID, Action: "view candidate (share link)",
			InterviewID: iv.ID, InvitationID: inv.ID, Detail: name})
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, http.StatusOK, "share", data)
}

// shareTake plays the submitted take of one answer of the link's candidate, with Range support.
func (s *Server) shareTake(w http.ResponseWriter, r *http.Request) {
	_, inv, iv, ok := s.shareOpen(w, r)
	if !ok {
		return
	}
	q, known := iv.Question(r.PathValue("q"))
	if !known {
		http.Error(w, "This answer is not part of the interview.", http.StatusNotFound)
		return
	}
	takes, err := s.store.CurrentTakes(inv.ID)
	if err != nil {
		s.serverError(w, r, "load takes", err)
		return
	}
	t, answered := takes[q.ID]
	if !answered || t.State != storage.TakeSubmitted {
		http.Error(w, "The candidate did not answer this question.", http.StatusNotFound)
		return
	}
	s.serveTake(w, r, t.TakeKey)
}

// errShareGone says a review link expired or was withdrawn.
var errShareGone = errors.New("web: the review link expired or was withdrawn")

// shareOpen returns the working review link of the request's token, with its
// submitted candidate and their interview. Otherwise it answers 404 (unknown
// link) or 410 (expired or withdrawn), saying only that the link does not work,
// and returns false.
func (s *Server) shareOpen(w http.ResponseWriter, r *http.Request) (*storage.Share, *storage.Invitation, *storage.Interview, bool) {
	sh, inv, iv, err := s.shareLookup(r.PathValue("token"))
	switch {
	case errors.Is(err, errShareGone):
		s.shareGone(w, r, http.StatusGone)
	case errors.Is(err, storage.ErrNotFound):
		s.shareGone(w, r, http.StatusNotFound)
	case err != nil:
		s.serverError(w, r, "open review link", err)
	default:
		return sh, inv, iv, true
	}
	return nil, nil, nil, false
}

// shareLookup returns the working review link token, its candidate and their interview.
func (s *Server) shareLookup(token string) (*storage.Share, *storage.Invitation, *storage.Interview, error) {
	if !storage.ValidToken(token) {
		return nil, nil, nil, storage.ErrNotFound
	}
	sh, err := s.store.ShareByToken(token)
	if err != nil {
		return nil, nil, nil, err
	}
	if !sh.Active(time.Now()) {
		return nil, nil, nil, errShareGone
	}
	inv, err := s.store.Invitation(sh.InvitationID)
	if err != nil {
		return nil, nil, nil, err
	}
	if inv.Stage() != storage.StageSubmitted {
		return nil, nil, nil, storage.ErrNotFound // never so: only submitted candidates are shared
	}
	iv, err := s.store.Interview(inv.InterviewID)
	return sh, inv, iv, err
}

// shareGone answers a review link that does not work.
func (s *Server) shareGone(w http.ResponseWriter, r *http.Request, status int) {
	if r.URL.Path != "/s/"+r.PathValue("token") {
		http.Error(w, msgShareGone, status) // a take: the player shows its own error
		return
	}
	s.render(w, status, "share_gone", page{Title: "Link no longer works"})
}
