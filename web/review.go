package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// reviewStore is what this file's handlers need of the record store.
type reviewStore interface {
	Invitation(id string) (*storage.Invitation, error)
	SubmittedInvitations(interviewID string) ([]storage.Invitation, error)
	CurrentTakes(invitationID string) (map[string]storage.Take, error)
	Reviews(invitationID string) (storage.Reviews, error)
	Rate(invitation, question, userID string, stars int) error
	AddComment(invitation, question, userID, text string) (storage.Comment, error)
	DeleteComment(invitation, question, commentID, userID string) error
	SetReviewStage(invitation, stage string) (*storage.Invitation, error)
}

// reviewRoutes serves the review of submitted candidates, to admins and reviewers
// alike. Nothing here ever shows a candidate who has not submitted, or a draft take.
func (s *Server) reviewRoutes(mux *http.ServeMux) {
	both := []storage.Role{storage.RoleAdmin, storage.RoleReviewer}
	mux.Handle("GET /admin/interviews/{id}/candidates", s.requireUser(s.reviewList, both...))
	mux.Handle("GET /admin/candidates/{inv}", s.requireUser(s.reviewCandidatePage, both...))
	mux.Handle("GET /admin/candidates/{inv}/takes/{q}", s.requireUser(s.reviewTake, both...))
	mux.Handle("GET /admin/candidates/{inv}/takes.zip", s.requireUser(s.reviewZip, both...))
	mux.Handle("POST /admin/candidates/{inv}/stage", s.requireUser(s.reviewSetStage, both...))
	mux.Handle("POST /admin/candidates/{inv}/answers/{q}/rating", s.requireUser(s.reviewRate, both...))
	mux.Handle("POST /admin/candidates/{inv}/answers/{q}/comments", s.requireUser(s.reviewAddComment, both...))
	mux.Handle("POST /admin/candidates/{inv}/answers/{q}/comments/{c}/delete", s.requireUser(s.reviewDeleteComment, both...))
}

// reviewPath is the review page of a candidate.
func reviewPath(inv string) string { return "/admin/candidates/" + inv }

// reviewTakePath is where the submitted take of a candidate's answer to q plays.
func reviewTakePath(inv, q string) string { return reviewPath(inv) + "/takes/" + q }

// reviewListPage is the data of the list of an interview's submitted candidates.
type reviewListPage struct {
	page
	Interview *storage.Interview
	Stages    []string
	Stage     string // the stage shown; "" for all
	Rows      []reviewRow
	Total     int // submitted candidates at any stage
}

// reviewRow is one submitted candidate in the list.
type reviewRow struct {
	ID, Name, Email string
	SubmittedAt     time.Time
	Stage           string
	Average         float64
	Ratings         int
}

// Rating shows the candidate's average rating.
func (c reviewRow) Rating() string {
	if c.Ratings == 0 {
		return "not rated"
	}
	return fmt.Sprintf("%.1f of 5 (%s)", c.Average, reviewPlural(c.Ratings, "rating", "ratings"))
}

// reviewPlural says n things, e.g. "1 rating" or "3 ratings".
func reviewPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// reviewList lists an interview's submitted candidates, the latest submission
// first, optionally only those at one stage (?stage=).
func (s *Server) reviewList(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.reviewInterview(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	invs, err := s.store.SubmittedInvitations(iv.ID)
	if err != nil {
		s.serverError(w, r, "list submitted candidates", err)
		return
	}
	data := reviewListPage{page: s.pageFor(r, "Candidates · "+iv.Title), Interview: iv,
		Stages: iv.ReviewStages(), Stage: r.URL.Query().Get("stage"), Total: len(invs)}
	status := http.StatusOK
	if data.Stage != "" && !slices.Contains(data.Stages, data.Stage) {
		status, data.Stage = http.StatusUnprocessableEntity, ""
		data.Error = "This interview has no such stage. Every submitted candidate is shown; choose a stage from the list."
	}
	if data.Rows, err = s.reviewRows(iv, invs, data.Stage); err != nil {
		s.serverError(w, r, "list submitted candidates", err)
		return
	}
	s.render(w, status, "candidates", data)
}

// reviewRows returns the list's rows: the candidates of invs at stage (all when ""), with their ratings.
func (s *Server) reviewRows(iv *storage.Interview, invs []storage.Invitation, stage string) ([]reviewRow, error) {
	var rows []reviewRow
	for i := range invs {
		inv := &invs[i]
		if stage != "" && inv.ReviewStageIn(iv) != stage {
			continue
		}
		rv, err := s.store.Reviews(inv.ID)
		if err != nil {
			return nil, err
		}
		row := reviewRow{ID: inv.ID, Name: reviewName(inv), Email: reviewEmail(inv),
			SubmittedAt: inv.SubmittedAt, Stage: inv.ReviewStageIn(iv)}
		row.Average, row.Ratings = rv.Average()
		rows = append(rows, row)
	}
	return rows, nil
}

// reviewInterview returns the interview id, or answers 404 and returns false.
func (s *Server) reviewInterview(w http.ResponseWriter, r *http.Request, id string) (*storage.Interview, bool) {
	if !storage.ValidID(id) {
		s.reviewNotFound(w, r)
		return nil, false
	}
	iv, err := s.store.Interview(id)
	if errors.Is(err, storage.ErrNotFound) {
		s.reviewNotFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, "load interview", err)
		return nil, false
	}
	return iv, true
}

// reviewCandidate returns the request's candidate ({inv}) and their interview.
// A candidate who has not submitted does not exist here: it answers 404 and
// returns false for them as for an unknown one, whatever the user's role.
func (s *Server) reviewCandidate(w http.ResponseWriter, r *http.Request) (*storage.Invitation, *storage.Interview, bool) {
	id := r.PathValue("inv")
	if !storage.ValidID(id) {
		s.reviewNotFound(w, r)
		return nil, nil, false
	}
	inv, err := s.store.Invitation(id)
	if err == nil && inv.Stage() != storage.StageSubmitted {
		err = storage.ErrNotFound
	}
	if errors.Is(err, storage.ErrNotFound) {
		s.reviewNotFound(w, r)
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, "load candidate", err)
		return nil, nil, false
	}
	iv, ok := s.reviewInterview(w, r, inv.InterviewID)
	return inv, iv, ok
}

// reviewNotFound answers 404 in the same words for an unknown candidate and one who has not submitted.
func (s *Server) reviewNotFound(w http.ResponseWriter, r *http.Request) {
	const msg = "There is nothing to review at this address. The candidate may not have submitted their answers yet, or they were deleted."
	if wantsJSON(r) {
		writeJSONError(w, http.StatusNotFound, msg)
		return
	}
	s.showMessage(w, r, http.StatusNotFound, "Not found", msg)
}

// reviewName is how the recruiters' pages name a candidate: the name they gave,
// or the one they were invited under.
func reviewName(inv *storage.Invitation) string {
	for _, n := range []string{inv.Details["name"], inv.Name} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	return "Unnamed candidate"
}

// reviewEmail is the candidate's email: the one they gave, or the one they were invited at.
func reviewEmail(inv *storage.Invitation) string {
	if e := inv.Details["email"]; e != "" {
		return e
	}
	return inv.Email
}

// logReview logs a failure that the user is not told the detail of.
func (s *Server) logReview(what string, inv *storage.Invitation, err error) {
	s.log.Error(what, slog.String("invitation", inv.ID), slog.Any("err", err))
}
