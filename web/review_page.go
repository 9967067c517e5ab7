package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/takes/takes/storage"
)

// reviewPage is the data of a submitted candidate's review page
// (templates/candidate.html). Candidate, Interview, User and CSRF are what the
// "share-delete" partial uses.
type reviewPage struct {
	page
	Candidate *storage.Invitation
	Interview *storage.Interview
	Name      string
	Email     string
	Details   []reviewDetail
	Stage     string   // the candidate's review stage
	Stages    []string // the interview's review stages
	Answers   answersView
	ZipURL    string
}

// reviewDetail is one personal detail the candidate gave.
type reviewDetail struct {
	Label, Value string
}

// reviewCandidatePage shows a submitted candidate's details and answers, and records the view.
func (s *Server) reviewCandidatePage(w http.ResponseWriter, r *http.Request) {
	inv, iv, ok := s.reviewCandidate(w, r)
	if !ok {
		return
	}
	s.showReview(w, r, http.StatusOK, inv, iv, nil)
}

// showReview renders the review page of inv with status; edit, when set, puts an
// error and what was typed back on the page.
func (s *Server) showReview(w http.ResponseWriter, r *http.Request, status int, inv *storage.Invitation,
	iv *storage.Interview, edit *reviewEdit) {
	data, err := s.reviewPageData(r, inv, iv)
	if err != nil {
		s.serverError(w, r, "review page", err)
		return
	}
	if edit != nil {
		data.Error = edit.Error
		for i := range data.Answers.Answers {
			if data.Answers.Answers[i].Question.ID == edit.Question {
				data.Answers.Answers[i].Draft = edit.Draft
			}
		}
	}
	if r.Method != http.MethodHead {
		s.audit(r, storage.AuditEntry{Action: "view candidate", InterviewID: iv.ID, InvitationID: inv.ID, Detail: data.Name})
	}
	s.render(w, status, "candidate", data)
}

// reviewEdit is a refused change on the review page: what is wrong, and the
// comment text to put back in its form.
type reviewEdit struct {
	Error, Question, Draft string
}

// reviewPageData gathers what the review page of inv shows to the request's user.
func (s *Server) reviewPageData(r *http.Request, inv *storage.Invitation, iv *storage.Interview) (reviewPage, error) {
	name := reviewName(inv)
	answers, err := s.answersView(r, inv, iv, func(q string) string { return reviewTakePath(inv.ID, q) }, false)
	if err != nil {
		return reviewPage{}, err
	}
	data := reviewPage{page: s.pageFor(r, name+" · "+iv.Title), Candidate: inv, Interview: iv, Name: name,
		Email: reviewEmail(inv), Stage: inv.ReviewStageIn(iv), Stages: iv.ReviewStages(), Answers: answers,
		ZipURL: reviewPath(inv.ID) + "/takes.zip"}
	for _, f := range iv.AskedFields() {
		if v := inv.Details[f.Name]; v != "" {
			data.Details = append(data.Details, reviewDetail{Label: f.Label, Value: v})
		}
	}
	return data, nil
}

// reviewSetStage moves a submitted candidate to another review stage.
func (s *Server) reviewSetStage(w http.ResponseWriter, r *http.Request) {
	inv, iv, ok := s.reviewCandidate(w, r)
	if !ok {
		return
	}
	_, err := s.store.SetReviewStage(inv.ID, r.PostFormValue("stage"))
	if errors.Is(err, storage.ErrBadStage) {
		s.showReview(w, r, http.StatusUnprocessableEntity, inv, iv,
			&reviewEdit{Error: "Choose one of this interview's stages from the list."})
		return
	}
	if err != nil {
		s.serverError(w, r, "set review stage", err)
		return
	}
	http.Redirect(w, r, reviewPath(inv.ID)+"#stage", http.StatusSeeOther)
}

// reviewAnswerOf returns the answered question {q} of a submitted candidate's
// request, or answers 404 and returns false.
func (s *Server) reviewAnswerOf(w http.ResponseWriter, r *http.Request) (*storage.Invitation, *storage.Interview, storage.Take, bool) {
	inv, iv, ok := s.reviewCandidate(w, r)
	if !ok {
		return nil, nil, storage.Take{}, false
	}
	q := r.PathValue("q")
	if _, known := iv.Question(q); !known {
		s.reviewNotFound(w, r)
		return nil, nil, storage.Take{}, false
	}
	takes, err := s.store.CurrentTakes(inv.ID)
	if err != nil {
		s.serverError(w, r, "load takes", err)
		return nil, nil, storage.Take{}, false
	}
	t, answered := takes[q]
	if !answered || t.State != storage.TakeSubmitted {
		s.reviewNotFound(w, r)
		return nil, nil, storage.Take{}, false
	}
	return inv, iv, t, true
}

// reviewRate sets the signed-in user's rating of an answer; 0 stars clears it.
func (s *Server) reviewRate(w http.ResponseWriter, r *http.Request) {
	inv, iv, t, ok := s.reviewAnswerOf(w, r)
	if !ok {
		return
	}
	stars, err := strconv.Atoi(r.PostFormValue("stars"))
	if err == nil {
		err = s.store.Rate(inv.ID, t.Question, userFrom(r).ID, stars)
	}
	var numErr *strconv.NumError
	if errors.As(err, &numErr) || errors.Is(err, storage.ErrBadRating) {
		s.showReview(w, r, http.StatusUnprocessableEntity, inv, iv,
			&reviewEdit{Error: "Choose from 1 to 5 stars, then save your rating."})
		return
	}
	s.reviewDone(w, r, inv, t.Question, "rate answer", err)
}

// reviewAddComment adds the signed-in user's comment to an answer.
func (s *Server) reviewAddComment(w http.ResponseWriter, r *http.Request) {
	inv, iv, t, ok := s.reviewAnswerOf(w, r)
	if !ok {
		return
	}
	text := r.PostFormValue("text")
	_, err := s.store.AddComment(inv.ID, t.Question, userFrom(r).ID, text)
	if errors.Is(err, storage.ErrBadComment) {
		s.showReview(w, r, http.StatusUnprocessableEntity, inv, iv, &reviewEdit{Question: t.Question, Draft: text,
			Error: "Write a comment of 1 to 4000 characters, then add it."})
		return
	}
	s.reviewDone(w, r, inv, t.Question, "add comment", err)
}

// reviewDeleteComment deletes one of the signed-in user's own comments.
func (s *Server) reviewDeleteComment(w http.ResponseWriter, r *http.Request) {
	inv, _, t, ok := s.reviewAnswerOf(w, r)
	if !ok {
		return
	}
	err := s.store.DeleteComment(inv.ID, t.Question, r.PathValue("c"), userFrom(r).ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.reviewNotFound(w, r)
	case errors.Is(err, storage.ErrNotAuthor):
		s.forbidden(w, r, "Only the person who wrote a comment can delete it.")
	default:
		s.reviewDone(w, r, inv, t.Question, "delete comment", err)
	}
}

// reviewDone ends a change to an answer's review: back to the answer on the page, or a server error.
func (s *Server) reviewDone(w http.ResponseWriter, r *http.Request, inv *storage.Invitation, q, what string, err error) {
	if err != nil {
		s.serverError(w, r, what, err)
		return
	}
	http.Redirect(w, r, reviewPath(inv.ID)+"#answer-"+q, http.StatusSeeOther)
}
