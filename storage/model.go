package storage

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"time"
)

// Interview is a set of questions that candidates answer on video.
type Interview struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Questions []Question `json:"questions"`
	CreatedAt time.Time  `json:"createdAt"`
}

// Question returns the interview's question with the given ID.
func (iv *Interview) Question(id string) (Question, bool) {
	for _, q := range iv.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// Question is one question of an interview.
type Question struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Invitation is one candidate's access to one interview, through a secret token.
type Invitation struct {
	ID          string    `json:"id"`
	InterviewID string    `json:"interviewId"`
	Token       string    `json:"token"`
	Name        string    `json:"name,omitempty"`
	Email       string    `json:"email,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

// TakeState is where a take is in its life.
type TakeState string

// The states of a take.
const (
	TakeRecording TakeState = "recording" // being written; its file is still a .part
	TakeDraft     TakeState = "draft"     // finished; seen only by the candidate
	TakeSubmitted TakeState = "submitted" // sent to the recruiter
	TakeRemoved   TakeState = "removed"   // deleted by the candidate; the file is gone
)

// TakeKey names one take: the n-th recording of a question by one invitation.
// Every part is a server-generated ID, so the key is safe to use in a path.
type TakeKey struct {
	Interview  string `json:"interview"`
	Invitation string `json:"invitation"`
	Question   string `json:"question"`
	N          int    `json:"n"`
}

// String returns the key as a path-like string for logs.
func (k TakeKey) String() string {
	return fmt.Sprintf("%s/%s/%s/%d", k.Interview, k.Invitation, k.Question, k.N)
}

// Take is the record of one recording.
type Take struct {
	TakeKey
	State      TakeState `json:"state"`
	DurationMs int64     `json:"durationMs"`
	Bytes      int64     `json:"bytes"`
	// Cut is set when the take ended because the connection dropped, not by Stop.
	Cut        bool      `json:"cut,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
}

// answer tracks a question's takes for one invitation: how many numbers were
// handed out, and which take is the current one (0 when none).
type answer struct {
	Takes   int `json:"takes"`
	Current int `json:"current"`
}

// NewID returns a random 80-bit identifier of 16 lower-case letters and digits.
func NewID() string {
	var b [10]byte
	rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// NewToken returns a random 192-bit URL-safe token.
func NewToken() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ValidID reports whether s has the shape of an ID made by NewID.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// ValidToken reports whether s has the shape of a token made by NewToken.
func ValidToken(s string) bool {
	if len(s) < 22 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
