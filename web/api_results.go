package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// apiResults are a submitted candidate's answers and their reviews.
type apiResults struct {
	Invitation apiInvitation     `json:"invitation"`
	Details    map[string]string `json:"details"` // as the candidate gave them, by field name
	// Stage is the review stage recruiters put the candidate in.
	Stage   string      `json:"stage"`
	Answers []apiAnswer `json:"answers"` // in the interview's order of questions
}

// apiAnswer is one question and the candidate's submitted take of it.
type apiAnswer struct {
	QuestionID string `json:"questionId"`
	Question   string `json:"question"`
	Optional   bool   `json:"optional"`
	// Take is absent when the candidate left an optional question unanswered.
	Take     *apiTake     `json:"take"`
	Ratings  []apiRating  `json:"ratings"`
	Comments []apiComment `json:"comments"`
}

// apiTake describes a submitted take; MediaURL serves its WebM file.
type apiTake struct {
	DurationMs int64            `json:"durationMs"`
	Bytes      int64            `json:"bytes"`
	End        storage.TakeEnd  `json:"end,omitempty"`
	Quality    *storage.Quality `json:"quality,omitempty"`
	RecordedAt time.Time        `json:"recordedAt"`
	MediaURL   string           `json:"mediaUrl"`
}

// apiRating is one reviewer's stars for an answer.
type apiRating struct {
	Reviewer string    `json:"reviewer"` // the reviewer's email
	Stars    int       `json:"stars"`
	At       time.Time `json:"at"`
}

// apiComment is one reviewer's comment on an answer.
type apiComment struct {
	Reviewer string    `json:"reviewer"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
}

// apiSubmittedOf returns the submitted invitation of the path's {id}, or answers
// 404: a candidate who has not submitted has no results yet.
func (s *Server) apiSubmittedOf(w http.ResponseWriter, r *http.Request) (*storage.Invitation, *storage.Interview, bool) {
	inv, iv, ok := s.apiInvitationOf(w, r)
	if ok && inv.Stage() != storage.StageSubmitted {
		apiError(w, http.StatusNotFound, "This candidate has not submitted their answers, so there are no results yet.", nil)
		return nil, nil, false
	}
	return inv, iv, ok
}

// apiResults shows a submitted candidate's details, answers and reviews.
func (s *Server) apiResults(w http.ResponseWriter, r *http.Request) {
	inv, iv, ok := s.apiSubmittedOf(w, r)
	if !ok {
		return
	}
	res, err := s.apiResultsOf(r, iv, inv)
	if err != nil {
		s.apiServerError(w, r, "results", err)
		return
	}
	s.apiAudit(r, storage.AuditEntry{Action: "view candidate", InterviewID: iv.ID, InvitationID: inv.ID,
		Detail: "results through the API"})
	apiWriteJSON(w, http.StatusOK, res)
}

func (s *Server) apiResultsOf(r *http.Request, iv *storage.Interview, inv *storage.Invitation) (*apiResults, error) {
	takes, err := s.store.CurrentTakes(inv.ID)
	if err != nil {
		return nil, err
	}
	reviews, err := s.store.Reviews(inv.ID)
	if err != nil {
		return nil, err
	}
	who, err := s.apiReviewerNames()
	if err != nil {
		return nil, err
	}
	res := &apiResults{
		Invitation: s.newAPIInvitation(r, iv, inv, true), Details: inv.Details,
		Stage: inv.ReviewStageIn(iv), Answers: []apiAnswer{},
	}
	for _, q := range iv.Questions {
		a := apiAnswer{QuestionID: q.ID, Question: q.Text, Optional: q.Optional,
			Ratings: []apiRating{}, Comments: []apiComment{}}
		if t, ok := takes[q.ID]; ok && t.State == storage.TakeSubmitted {
			a.Take = &apiTake{DurationMs: t.DurationMs, Bytes: t.Bytes, End: t.End, Quality: t.Quality,
				RecordedAt: t.CreatedAt, MediaURL: fmt.Sprintf("%s/invitations/%s/takes/%s", apiPrefix, inv.ID, q.ID)}
		}
		for _, rt := range reviews[q.ID].Ratings {
			a.Ratings = append(a.Ratings, apiRating{Reviewer: who(rt.UserID), Stars: rt.Stars, At: rt.At})
		}
		for _, c := range reviews[q.ID].Comments {
			a.Comments = append(a.Comments, apiComment{Reviewer: who(c.UserID), Text: c.Text, At: c.At})
		}
		res.Answers = append(res.Answers, a)
	}
	return res, nil
}

// apiReviewerNames returns a function that names a user ID by the account's email.
func (s *Server) apiReviewerNames() (func(id string) string, error) {
	users, err := s.store.Users()
	if err != nil {
		return nil, err
	}
	emails := make(map[string]string, len(users))
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	return func(id string) string {
		if e, ok := emails[id]; ok {
			return e
		}
		return "a deleted account"
	}, nil
}

// apiTake serves the submitted take of one question, with Range support.
func (s *Server) apiTake(w http.ResponseWriter, r *http.Request) {
	inv, iv, ok := s.apiSubmittedOf(w, r)
	if !ok {
		return
	}
	q := r.PathValue("question")
	takes, err := s.store.CurrentTakes(inv.ID)
	if err != nil {
		s.apiServerError(w, r, "current takes", err)
		return
	}
	t, ok := takes[q]
	if _, asked := iv.Question(q); !asked || !ok || t.State != storage.TakeSubmitted {
		apiError(w, http.StatusNotFound, "This candidate has no answer to this question.", nil)
		return
	}
	f, err := s.media.Open(t.TakeKey)
	if err != nil {
		s.apiNotFound(w, r, "recording", err)
		return
	}
	if apiFirstRequest(r) {
		s.apiAudit(r, storage.AuditEntry{Action: "download take", InterviewID: iv.ID, InvitationID: inv.ID,
			Detail: "question " + q + " through the API"})
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.webm"`, inv.ID, q))
	s.serveWebM(w, r, f, "take "+t.TakeKey.String())
}

// apiFirstRequest reports whether r asks for a file from its start, rather than
// going on with a download or a seek (which would fill the audit log).
func apiFirstRequest(r *http.Request) bool {
	rg := r.Header.Get("Range")
	return rg == "" || strings.HasPrefix(strings.ReplaceAll(rg, " ", ""), "bytes=0-")
}
