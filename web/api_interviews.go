package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// apiInterview is an interview as the API shows it.
type apiInterview struct {
	ID            string        `json:"id"`
	Title         string        `json:"title"`
	Welcome       string        `json:"welcome,omitempty"`
	Questions     []apiQuestion `json:"questions"`
	Deadline      time.Time     `json:"deadline,omitzero"`
	RetentionDays int           `json:"retentionDays,omitempty"`
	Stages        []string      `json:"stages"`
	HasWebhook    bool          `json:"hasWebhook"`
	CreatedAt     time.Time     `json:"createdAt"`
	UpdatedAt     time.Time     `json:"updatedAt,omitzero"`
}

// apiQuestion is a question as the API shows it; limits are in whole seconds.
type apiQuestion struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	TimeLimitSeconds int    `json:"timeLimitSeconds"` // 0: no limit
	PrepSeconds      int    `json:"prepSeconds"`      // 0: the candidate starts when ready
	RetakeLimit      int    `json:"retakeLimit"`      // 0: unlimited
	Optional         bool   `json:"optional"`
	Video            bool   `json:"video"` // the recruiter recorded it on video
}

func newAPIInterview(iv *storage.Interview) apiInterview {
	out := apiInterview{
		ID: iv.ID, Title: iv.Title, Welcome: iv.Welcome, Questions: []apiQuestion{},
		Deadline: iv.Deadline, RetentionDays: iv.RetentionDays, Stages: iv.ReviewStages(),
		HasWebhook: iv.Webhook != nil, CreatedAt: iv.CreatedAt, UpdatedAt: iv.UpdatedAt,
	}
	for _, q := range iv.Questions {
		out.Questions = append(out.Questions, apiQuestion{
			ID: q.ID, Text: q.Text, TimeLimitSeconds: int(q.TimeLimit / time.Second),
			PrepSeconds: int(q.PrepTime / time.Second), RetakeLimit: q.RetakeLimit, Optional: q.Optional, Video: q.Video,
		})
	}
	return out
}

// apiInterviews lists the interviews, oldest first.
func (s *Server) apiInterviews(w http.ResponseWriter, r *http.Request) {
	ivs, err := s.store.Interviews()
	if err != nil {
		s.apiServerError(w, r, "list interviews", err)
		return
	}
	slices.SortFunc(ivs, func(x, y storage.Interview) int { return x.CreatedAt.Compare(y.CreatedAt) })
	out := make([]apiInterview, len(ivs))
	for i := range ivs {
		out[i] = newAPIInterview(&ivs[i])
	}
	apiWriteJSON(w, http.StatusOK, struct {
		Interviews []apiInterview `json:"interviews"`
	}{out})
}

// apiInterview shows one interview.
func (s *Server) apiInterview(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.apiInterviewOf(w, r)
	if ok {
		apiWriteJSON(w, http.StatusOK, newAPIInterview(iv))
	}
}

// apiInterviewOf returns the interview of the path's {id}, or answers 404.
func (s *Server) apiInterviewOf(w http.ResponseWriter, r *http.Request) (*storage.Interview, bool) {
	id := r.PathValue("id")
	if !storage.ValidID(id) {
		s.apiNotFound(w, r, "interview", nil)
		return nil, false
	}
	iv, err := s.store.Interview(id)
	if err != nil {
		s.apiNotFound(w, r, "interview", err)
		return nil, false
	}
	return iv, true
}

// apiInterviewInput is the body of POST /api/v1/interviews.
type apiInterviewInput struct {
	Title         string             `json:"title"`
	Welcome       string             `json:"welcome"`
	Privacy       string             `json:"privacy"`
	Questions     []apiQuestionInput `json:"questions"`
	Deadline      string             `json:"deadline"` // RFC 3339; empty for none
	RetentionDays int                `json:"retentionDays"`
	Stages        []string           `json:"stages"`
}

// apiQuestionInput is one question of apiInterviewInput. A missing
// timeLimitSeconds means the default limit (3 minutes); 0 means none.
type apiQuestionInput struct {
	Text             string `json:"text"`
	TimeLimitSeconds *int   `json:"timeLimitSeconds"`
	PrepSeconds      int    `json:"prepSeconds"`
	RetakeLimit      int    `json:"retakeLimit"`
	Optional         bool   `json:"optional"`
}

// apiCreateInterview creates an interview from its JSON description.
func (s *Server) apiCreateInterview(w http.ResponseWriter, r *http.Request) {
	var in apiInterviewInput
	if !apiDecodeJSON(w, r, &in) {
		return
	}
	iv, fields := in.interview(time.Now())
	if len(fields) > 0 {
		apiError(w, http.StatusUnprocessableEntity, "Some fields are not valid: see fields.", fields)
		return
	}
	if err := s.store.CreateInterview(iv); err != nil {
		s.apiServerError(w, r, "create interview", err)
		return
	}
	w.Header().Set("Location", apiPrefix+"/interviews/"+iv.ID)
	apiWriteJSON(w, http.StatusCreated, newAPIInterview(iv))
}

// interview returns the interview the input describes, or what is wrong with
// it by field name (as in the input: "questions.0.timeLimitSeconds").
func (in *apiInterviewInput) interview(now time.Time) (*storage.Interview, map[string]string) {
	iv := &storage.Interview{
		Title: strings.TrimSpace(in.Title), Welcome: in.Welcome, Privacy: in.Privacy,
		RetentionDays: in.RetentionDays, Stages: in.Stages, CreatedAt: now.UTC(),
	}
	for _, q := range in.Questions {
		limit := storage.DefaultTimeLimit
		if q.TimeLimitSeconds != nil {
			limit = time.Duration(*q.TimeLimitSeconds) * time.Second
		}
		iv.Questions = append(iv.Questions, storage.Question{
			Text: strings.TrimSpace(q.Text), Optional: q.Optional, TimeLimit: limit,
			RetakeLimit: q.RetakeLimit, PrepTime: time.Duration(q.PrepSeconds) * time.Second,
		})
	}
	fields := make(map[string]string)
	var verr *storage.ValidationError
	if err := iv.Validate(); errors.As(err, &verr) {
		for k, msg := range verr.Fields {
			fields[apiFieldName(k)] = msg
		}
	}
	if msg := apiParseDeadline(in.Deadline, now, &iv.Deadline); msg != "" {
		fields["deadline"] = msg
	}
	return iv, fields
}

// apiFieldName renames a storage.ValidationError key to the API's input field name.
func apiFieldName(key string) string {
	switch {
	case strings.HasSuffix(key, ".timeLimit"):
		return key + "Seconds"
	case strings.HasSuffix(key, ".prepTime"):
		return strings.TrimSuffix(key, "prepTime") + "prepSeconds"
	}
	return key
}

// apiParseDeadline sets *d from an RFC 3339 time that is in the future; "" is no deadline.
func apiParseDeadline(s string, now time.Time, d *time.Time) string {
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339, s)
	switch {
	case err != nil:
		return "Give the deadline as an RFC 3339 time, such as 2030-01-31T17:00:00Z."
	case !t.After(now):
		return "The deadline has passed; give a time in the future."
	}
	*d = t.UTC()
	return ""
}
