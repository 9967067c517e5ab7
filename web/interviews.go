package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// interviewStore is what this file's handlers need of the record store.
type interviewStore interface {
	CreateInterview(iv *storage.Interview) error
	UpdateInterview(iv *storage.Interview) error
	AnsweredQuestions(interviewID string) (map[string]bool, error)
	InvitationCounts() (map[string]storage.InvitationCount, error)
}

func (s *Server) interviewRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/interviews/new", s.requireUser(s.newInterview, storage.RoleAdmin))
	mux.Handle("POST /admin/interviews/new", s.requireUser(s.postInterview, storage.RoleAdmin))
	mux.Handle("GET /admin/interviews/{id}/edit", s.requireUser(s.editInterview, storage.RoleAdmin))
	mux.Handle("POST /admin/interviews/{id}/edit", s.requireUser(s.postInterview, storage.RoleAdmin))
}

// maxFormQuestions bounds the question rows read from a posted form.
const maxFormQuestions = 2 * storage.MaxQuestions

// dashboardRow is one interview on the dashboard.
type dashboardRow struct {
	storage.Interview
	storage.InvitationCount
	Closed bool // its deadline passed
}

// dashboardRows returns the interviews, newest first, with their candidate counts.
func (s *Server) dashboardRows() ([]dashboardRow, error) {
	ivs, err := s.store.Interviews()
	if err != nil {
		return nil, err
	}
	counts, err := s.store.InvitationCounts()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ivs, func(x, y storage.Interview) int { return y.CreatedAt.Compare(x.CreatedAt) })
	now := time.Now()
	rows := make([]dashboardRow, len(ivs))
	for i, iv := range ivs {
		closed := !iv.Deadline.IsZero() && !now.Before(iv.Deadline)
		rows[i] = dashboardRow{Interview: iv, InvitationCount: counts[iv.ID], Closed: closed}
	}
	return rows, nil
}

// newInterview shows the form of a new interview, with one question to start from.
func (s *Server) newInterview(w http.ResponseWriter, r *http.Request) {
	iv := &storage.Interview{Questions: []storage.Question{{TimeLimit: storage.DefaultTimeLimit}}}
	s.showInterviewForm(w, r, http.StatusOK, formFromInterview(iv, nil))
}

// editInterview shows the form of a stored interview.
func (s *Server) editInterview(w http.ResponseWriter, r *http.Request) {
	stored, answered, ok := s.storedInterview(w, r)
	if !ok {
		return
	}
	s.showInterviewForm(w, r, http.StatusOK, formFromInterview(stored, answered))
}

// storedInterview loads the interview of the edit URL and the questions that
// candidates answered; it answers 404 (and reports false) when there is none.
func (s *Server) storedInterview(w http.ResponseWriter, r *http.Request) (*storage.Interview, map[string]bool, bool) {
	id := r.PathValue("id")
	var iv *storage.Interview
	err := storage.ErrNotFound
	if storage.ValidID(id) {
		iv, err = s.store.Interview(id)
	}
	var answered map[string]bool
	if err == nil {
		answered, err = s.store.AnsweredQuestions(id)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.showMessage(w, r, http.StatusNotFound, "Interview not found",
			"There is no interview at this address. It may have been deleted; go back to the list of interviews.")
		return nil, nil, false
	case err != nil:
		s.serverError(w, r, "load interview", err)
		return nil, nil, false
	}
	return iv, answered, true
}

// postInterview handles every button of the form: "save" stores the interview;
// "add", "remove:<i>", "up:<i>" and "down:<i>" change the questions on the page
// only, so that the form works without JavaScript.
func (s *Server) postInterview(w http.ResponseWriter, r *http.Request) {
	var stored *storage.Interview
	var answered map[string]bool
	if r.PathValue("id") != "" {
		var ok bool
		if stored, answered, ok = s.storedInterview(w, r); !ok {
			return
		}
	}
	f := readInterviewForm(r, stored, answered)
	action := r.PostFormValue("action")
	if action == "" || action == "save" {
		s.saveInterview(w, r, f)
		return
	}
	status, err := f.apply(action)
	if err != nil {
		s.showMessage(w, r, http.StatusBadRequest, "Unknown button",
			"This form sent a button the server does not know. Reload the page and try again.")
		return
	}
	f.Notice = "Not saved yet: press “Save interview” to keep your changes."
	s.showInterviewForm(w, r, status, f)
}

// saveInterview stores the form's interview and goes on to its page, or shows
// the form again with what is wrong.
func (s *Server) saveInterview(w http.ResponseWriter, r *http.Request, f *interviewForm) {
	iv := f.interview()
	if len(f.Problems) > 0 { // the summary at the top of the form says so
		s.showInterviewForm(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	var err error
	var before *storage.Interview
	if iv.ID == "" {
		err = s.store.CreateInterview(iv)
	} else if before, err = s.store.Interview(iv.ID); err == nil {
		err = s.store.UpdateInterview(iv)
	}
	if errors.Is(err, storage.ErrNotFound) {
		s.showMessage(w, r, http.StatusNotFound, "Interview not found",
			"This interview no longer exists: someone deleted it while you were editing.")
		return
	}
	if msg := saveProblem(err); msg != "" {
		f.Error = msg
		s.showInterviewForm(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		s.serverError(w, r, "save interview", err)
		return
	}
	s.log.Info("interview saved", slog.String("interview", iv.ID), slog.String("by", userFrom(r).Email),
		slog.Bool("new", f.ID == ""))
	s.removeDroppedVideos(before, iv)
	http.Redirect(w, r, "/admin/interviews/"+iv.ID, http.StatusSeeOther)
}

// removeDroppedVideos deletes the video of each question of before that the saved
// interview after no longer has. A failure leaves a file nobody can reach: logged.
func (s *Server) removeDroppedVideos(before, after *storage.Interview) {
	if before == nil {
		return
	}
	for _, q := range before.Questions {
		if _, kept := after.Question(q.ID); kept || !q.Video {
			continue
		}
		if err := s.media.RemoveQuestionVideo(before.ID, q.ID); err != nil {
			s.log.Error("remove a dropped question's video", slog.String("interview", before.ID),
				slog.String("question", q.ID), slog.Any("err", err))
		}
	}
}

// saveProblem returns what to tell the recruiter about an error of saving, or ""
// when it is not something they can correct.
func saveProblem(err error) string {
	var qe *storage.QuestionAnsweredError
	var ve *storage.ValidationError
	switch {
	case errors.As(err, &qe):
		return fmt.Sprintf("The question “%s” cannot be removed: a candidate has answered it. "+
			"Reload the page to start again from what is saved.", qe.Text)
	case errors.As(err, &ve):
		return "The interview was not saved: " + strings.TrimPrefix(ve.Error(), "storage: invalid interview: ")
	}
	return ""
}

func (s *Server) showInterviewForm(w http.ResponseWriter, r *http.Request, status int, f *interviewForm) {
	title := "New interview"
	if f.ID != "" {
		title = "Edit interview"
	}
	p := s.pageFor(r, title)
	p.Error, p.Notice = f.Error, f.Notice
	f.page = p
	f.renumber()
	s.render(w, status, "interview_form", f)
}
