package signaling

import (
	"fmt"

	"github.com/pion/webrtc/v4"
	"github.com/takes/takes/storage"
)

// inMessage is any message from the browser; which fields matter depends on Type.
type inMessage struct {
	Type      string                   `json:"type"`
	SDP       string                   `json:"sdp"`
	Candidate *webrtc.ICECandidateInit `json:"candidate"`
	Question  string                   `json:"question"`
}

type welcomeMsg struct {
	Type      string         `json:"type"`
	Interview interviewInfo  `json:"interview"`
	Questions []questionInfo `json:"questions"`
}

type interviewInfo struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type questionInfo struct {
	ID   string    `json:"id"`
	Text string    `json:"text"`
	Take *takeInfo `json:"take,omitempty"`
}

type takeInfo struct {
	N          int               `json:"n"`
	State      storage.TakeState `json:"state"`
	DurationMs int64             `json:"durationMs"`
	Bytes      int64             `json:"bytes"`
	URL        string            `json:"url"`
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
}

type savedMsg struct {
	Type       string `json:"type"`
	Question   string `json:"question"`
	Take       int    `json:"take"`
	DurationMs int64  `json:"durationMs"`
	Bytes      int64  `json:"bytes"`
	URL        string `json:"url"`
	Cut        bool   `json:"cut,omitempty"`
}

type removedMsg struct {
	Type     string `json:"type"`
	Question string `json:"question"`
}

type errorMsg struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Request string `json:"request,omitempty"`
}

// TakeURL is where the candidate plays a take back.
func TakeURL(token string, k storage.TakeKey) string {
	return fmt.Sprintf("/media/%s/%s/%d", token, k.Question, k.N)
}

func welcome(iv *storage.Interview, token string, takes map[string]storage.Take) welcomeMsg {
	m := welcomeMsg{Type: "welcome", Interview: interviewInfo{ID: iv.ID, Title: iv.Title}}
	for _, q := range iv.Questions {
		qi := questionInfo{ID: q.ID, Text: q.Text}
		if t, ok := takes[q.ID]; ok && t.State != storage.TakeRecording {
			qi.Take = &takeInfo{N: t.N, State: t.State, DurationMs: t.DurationMs, Bytes: t.Bytes, URL: TakeURL(token, t.TakeKey)}
		}
		m.Questions = append(m.Questions, qi)
	}
	return m
}
