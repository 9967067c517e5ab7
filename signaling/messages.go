package signaling

import (
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/takes/takes/storage"
)

// inMessage is any message from the browser; which fields matter depends on Type.
type inMessage struct {
	Type      string                   `json:"type"`
	SDP       string                   `json:"sdp"`
	Candidate *webrtc.ICECandidateInit `json:"candidate"`
	Question  string                   `json:"question"`
	Values    map[string]string        `json:"values"`
}

// stateMsg is the candidate's whole view of the interview: the welcome message,
// and the state message after each change of stage. What it reveals depends on
// the stage: no question before the privacy policy is accepted.
type stateMsg struct {
	Type        string            `json:"type"`
	Stage       storage.Stage     `json:"stage"`
	Interview   interviewInfo     `json:"interview"`
	Details     map[string]string `json:"details,omitempty"`
	Questions   []questionInfo    `json:"questions,omitempty"`
	SubmittedAt *time.Time        `json:"submittedAt,omitempty"`
	// ClosesAt is the invitation's deadline, when it has one; Closed is set once no
	// new take can be recorded (the deadline passed, or the link was withdrawn).
	ClosesAt *time.Time `json:"closesAt,omitempty"`
	Closed   bool       `json:"closed,omitempty"`
}

type interviewInfo struct {
	ID      string          `json:"id"`
	Title   string          `json:"title"`
	Welcome string          `json:"welcome,omitempty"`
	Privacy string          `json:"privacy"`
	Fields  []storage.Field `json:"fields"`
}

type questionInfo struct {
	ID          string    `json:"id"`
	Text        string    `json:"text"`
	Required    bool      `json:"required"`
	TimeLimitMs int64     `json:"timeLimitMs,omitempty"`
	RetakeLimit int       `json:"retakeLimit,omitempty"`
	RetakesLeft *int      `json:"retakesLeft,omitempty"`
	PrepMs      int64     `json:"prepMs,omitempty"`
	VideoURL    string    `json:"videoUrl,omitempty"`
	Take        *takeInfo `json:"take,omitempty"`
}

type takeInfo struct {
	N          int               `json:"n"`
	State      storage.TakeState `json:"state"`
	DurationMs int64             `json:"durationMs"`
	Bytes      int64             `json:"bytes"`
	URL        string            `json:"url"`
	Reason     string            `json:"reason"`
}

type answerMsg struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

type candidateMsg struct {
	Type      string                  `json:"type"`
	Candidate webrtc.ICECandidateInit `json:"candidate"`
}

type mediaMsg struct {
	Type  string `json:"type"`
	Ready bool   `json:"ready"`
}

type recordingMsg struct {
	Type     string `json:"type"`
	Question string `json:"question"`
	Take     int    `json:"take"`
	LimitMs  int64  `json:"limitMs,omitempty"`
}

type savedMsg struct {
	Type       string `json:"type"`
	Question   string `json:"question"`
	Take       int    `json:"take"`
	DurationMs int64  `json:"durationMs"`
	Bytes      int64  `json:"bytes"`
	URL        string `json:"url"`
	Reason     string `json:"reason"`
	// RetakesLeft is set when the question has a retake limit.
	RetakesLeft *int `json:"retakesLeft,omitempty"`
}

type removedMsg struct {
	Type     string `json:"type"`
	Question string `json:"question"`
}

type errorMsg struct {
	Type      string            `json:"type"`
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Request   string            `json:"request,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	Questions []string          `json:"questions,omitempty"`
}

// TakeURL is where the candidate plays a take back.
func TakeURL(token string, k storage.TakeKey) string {
	return fmt.Sprintf("/media/%s/%s/%d", token, k.Question, k.N)
}

// QuestionVideoURL is where the candidate plays a video question.
func QuestionVideoURL(token, question string) string {
	return fmt.Sprintf("/i/%s/question/%s/video", token, question)
}

// stateView is what a state message is made from.
type stateView struct {
	iv      *storage.Interview
	inv     *storage.Invitation
	takes   map[string]storage.Take
	retakes map[string]int
	now     time.Time // for the deadline
}

func (v stateView) message(typ string) stateMsg {
	iv, inv := v.iv, v.inv
	m := stateMsg{Type: typ, Stage: inv.Stage(), Interview: interviewInfo{
		ID: iv.ID, Title: iv.Title, Welcome: iv.Welcome, Privacy: iv.PrivacyText(), Fields: iv.AskedFields(),
	}}
	if d := inv.DeadlineIn(iv); !d.IsZero() {
		d = d.UTC()
		m.ClosesAt = &d
	}
	m.Closed = inv.Closed(iv, v.now)
	if m.Stage != storage.StageQuestions && m.Stage != storage.StageSubmitted {
		return m
	}
	m.Details = inv.Details
	if m.Stage == storage.StageSubmitted {
		at := inv.SubmittedAt
		m.SubmittedAt = &at
	}
	for _, q := range iv.Questions {
		m.Questions = append(m.Questions, v.question(q))
	}
	return m
}

func (v stateView) question(q storage.Question) questionInfo {
	qi := questionInfo{ID: q.ID, Text: q.Text, Required: !q.Optional, TimeLimitMs: q.TimeLimit.Milliseconds(),
		RetakeLimit: q.RetakeLimit, PrepMs: q.PrepTime.Milliseconds()}
	if left, limited := storage.RetakesLeft(q.RetakeLimit, v.retakes[q.ID]); limited {
		qi.RetakesLeft = &left
	}
	if q.Video {
		qi.VideoURL = QuestionVideoURL(v.inv.Token, q.ID)
	}
	if t, ok := v.takes[q.ID]; ok && t.State != storage.TakeRecording {
		qi.Take = &takeInfo{N: t.N, State: t.State, DurationMs: t.DurationMs, Bytes: t.Bytes,
			URL: TakeURL(v.inv.Token, t.TakeKey), Reason: takeReason(t)}
	}
	return qi
}

func takeReason(t storage.Take) string {
	if t.End == "" {
		return string(storage.EndStop)
	}
	return string(t.End)
}
