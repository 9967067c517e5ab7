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
	ID      string `json:"id"`
	Title   string `json:"title"`
	Welcome string `json:"welcome,omitempty"` // shown to the candidate first
	Privacy string `json:"privacy,omitempty"` // the privacy policy the candidate accepts
	// Fields are the personal details asked of the candidate; nil means DefaultFields.
	Fields    []Field    `json:"fields,omitempty"`
	Questions []Question `json:"questions"`
	// Deadline, when set, is when invitations stop accepting new takes
	// (an invitation may have its own, later one).
	Deadline time.Time `json:"deadline,omitzero"`
	// RetentionDays, when above zero, is how long submitted answers are kept:
	// older ones are deleted automatically.
	RetentionDays int `json:"retentionDays,omitempty"`
	// Stages are the review stages of a candidate; nil means DefaultStages.
	Stages []string `json:"stages,omitempty"`
	// Webhook, when set, is told of each submission (see docs/api.md).
	Webhook *Webhook `json:"webhook,omitempty"`

	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// Webhook is where a submission is announced, signed with an HMAC of Secret.
type Webhook struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// DefaultStages are the review stages of an interview that names none.
func DefaultStages() []string {
	return []string{"new", "shortlisted", "rejected", "hired"}
}

// ReviewStages returns the interview's review stages; the first is every candidate's start.
func (iv *Interview) ReviewStages() []string {
	if len(iv.Stages) == 0 {
		return DefaultStages()
	}
	return iv.Stages
}

// Field is one personal detail asked of the candidate.
type Field struct {
	Name     string    `json:"name"` // the key of the value, e.g. "email"
	Label    string    `json:"label"`
	Kind     FieldKind `json:"kind"`
	Required bool      `json:"required"`
}

// FieldKind says how a field is entered and checked.
type FieldKind string

// The kinds of field.
const (
	FieldText  FieldKind = "text"
	FieldEmail FieldKind = "email"
	FieldTel   FieldKind = "tel"
)

// DefaultFields are asked when an interview names none: name and email, required, and phone.
func DefaultFields() []Field {
	return []Field{
		{Name: "name", Label: "Full name", Kind: FieldText, Required: true},
		{Name: "email", Label: "Email", Kind: FieldEmail, Required: true},
		{Name: "phone", Label: "Phone", Kind: FieldTel},
	}
}

// AskedFields returns the fields the interview asks.
func (iv *Interview) AskedFields() []Field {
	if iv.Fields == nil {
		return DefaultFields()
	}
	return iv.Fields
}

// DefaultPrivacy is the privacy policy of an interview that has none of its own.
const DefaultPrivacy = "We record your answers and the personal details you give us only to assess your " +
	"application for this position. Your recordings are stored on our own server, seen only by the people " +
	"who review your application, and deleted when they are no longer needed for it. You can ask us to show, " +
	"correct or delete your data at any time."

// PrivacyText returns the interview's privacy policy.
func (iv *Interview) PrivacyText() string {
	if iv.Privacy == "" {
		return DefaultPrivacy
	}
	return iv.Privacy
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
	// Optional questions may be left unanswered at submission.
	Optional bool `json:"optional,omitempty"`
	// TimeLimit ends a take when reached; zero means none.
	TimeLimit time.Duration `json:"timeLimit,omitempty"`
	// RetakeLimit is how many retakes are allowed after the first take; zero means
	// unlimited and NoRetakes none. Recording again after removing a take is a retake.
	RetakeLimit int `json:"retakeLimit,omitempty"`
	// PrepTime is how long the candidate may read the question before recording
	// starts by itself; zero means they start when ready.
	PrepTime time.Duration `json:"prepTime,omitempty"`
	// Video is set when the recruiter recorded the question on video.
	Video bool `json:"video,omitempty"`
}

// NoRetakes is the RetakeLimit of a question answered in one take.
const NoRetakes = -1

// RetakeAllowed reports whether one more retake is allowed under limit, with used
// retakes already taken.
func RetakeAllowed(limit, used int) bool {
	return limit == 0 || limit > 0 && used < limit
}

// RetakesLeft returns how many retakes are left under limit, and false when unlimited.
func RetakesLeft(limit, used int) (int, bool) {
	if limit == 0 {
		return 0, false
	}
	return max(limit-used, 0), true
}

// DefaultTimeLimit is the answer time limit a new question gets.
const DefaultTimeLimit = 3 * time.Minute

// Invitation is one candidate's access to one interview, through a secret token.
type Invitation struct {
	ID          string    `json:"id"`
	InterviewID string    `json:"interviewId"`
	Token       string    `json:"token"`
	Name        string    `json:"name,omitempty"`
	Email       string    `json:"email,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`

	OpenedAt          time.Time         `json:"openedAt,omitzero"`
	PrivacyAcceptedAt time.Time         `json:"privacyAcceptedAt,omitzero"`
	Details           map[string]string `json:"details,omitempty"`
	DetailsAt         time.Time         `json:"detailsAt,omitzero"`
	SubmittedAt       time.Time         `json:"submittedAt,omitzero"`

	// RevokedAt is when a recruiter withdrew the link; it then opens nothing.
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	// Deadline, when set, replaces the interview's deadline for this candidate.
	Deadline time.Time `json:"deadline,omitzero"`
	// ReviewStage is where the recruiters put the candidate: one of the interview's
	// ReviewStages; "" is the first.
	ReviewStage string `json:"reviewStage,omitempty"`
}

// Revoked reports whether the link was withdrawn.
func (inv *Invitation) Revoked() bool { return !inv.RevokedAt.IsZero() }

// DeadlineIn returns the invitation's deadline in iv (zero when none).
func (inv *Invitation) DeadlineIn(iv *Interview) time.Time {
	if !inv.Deadline.IsZero() {
		return inv.Deadline
	}
	return iv.Deadline
}

// Closed reports whether the invitation no longer accepts new takes at now:
// it was revoked, or its deadline passed.
func (inv *Invitation) Closed(iv *Interview, now time.Time) bool {
	d := inv.DeadlineIn(iv)
	return inv.Revoked() || (!d.IsZero() && !now.Before(d))
}

// Status is the recruiter's view of where a candidate is.
type Status string

// The statuses of an invitation.
const (
	StatusInvited    Status = "invited"     // the link was never opened
	StatusOpened     Status = "opened"      // opened, nothing recorded yet
	StatusInProgress Status = "in progress" // details given or a take recorded, not submitted
	StatusSubmitted  Status = "submitted"
	StatusRevoked    Status = "revoked"
)

// Status returns the invitation's status; started tells whether any take was recorded.
func (inv *Invitation) Status(started bool) Status {
	switch {
	case !inv.SubmittedAt.IsZero():
		return StatusSubmitted
	case inv.Revoked():
		return StatusRevoked
	case started || !inv.DetailsAt.IsZero():
		return StatusInProgress
	case !inv.OpenedAt.IsZero():
		return StatusOpened
	}
	return StatusInvited
}

// Stage is where a candidate is in the interview.
type Stage string

// The stages, in order.
const (
	StagePrivacy   Stage = "privacy"
	StageDetails   Stage = "details"
	StageQuestions Stage = "questions"
	StageSubmitted Stage = "submitted"
)

// Stage returns the invitation's stage.
func (inv *Invitation) Stage() Stage {
	switch {
	case !inv.SubmittedAt.IsZero():
		return StageSubmitted
	case !inv.DetailsAt.IsZero():
		return StageQuestions
	case !inv.PrivacyAcceptedAt.IsZero():
		return StageDetails
	}
	return StagePrivacy
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

// Quality is a take's recording-quality record, shown to the recruiter.
type Quality struct {
	VideoFrames      uint64 `json:"videoFrames"`
	AudioFrames      uint64 `json:"audioFrames"`
	PacketsLost      uint64 `json:"packetsLost"`      // never received, after retransmission
	PacketsRecovered uint64 `json:"packetsRecovered"` // came late but in time: resent after a NACK, or reordered
	FramesDropped    uint64 `json:"framesDropped"`    // video frames not decodable, left out
	KeyframeRequests uint64 `json:"keyframeRequests"` // PLIs sent to the browser
	FirstFrameMs     int64  `json:"firstFrameMs"`     // from record to the first picture
	// AudioStartMs is where the audio starts in the file, after the first picture.
	AudioStartMs int64 `json:"audioStartMs"`
}

// Finish is what is known of a take when its recording ends.
type Finish struct {
	DurationMs int64
	Bytes      int64
	End        TakeEnd
	Quality    *Quality
}

// TakeEnd says how a take's recording ended.
type TakeEnd string

// The ways a take ends.
const (
	EndStop  TakeEnd = "stop"  // the candidate pressed Stop
	EndLimit TakeEnd = "limit" // the question's time limit was reached
	EndCut   TakeEnd = "cut"   // the connection dropped; what arrived is kept
	// EndInterrupted marks a take the server was recording when it stopped without
	// finishing it (a crash); it was rebuilt from what was on disk.
	EndInterrupted TakeEnd = "interrupted"
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
	// End says how the recording ended.
	End TakeEnd `json:"end,omitempty"`
	// Quality describes what happened to the media while it was recorded.
	Quality    *Quality  `json:"quality,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
}

// answer tracks a question's takes for one invitation: how many numbers were
// handed out, and which take is the current one (0 when none).
type answer struct {
	Takes   int `json:"takes"`
	Current int `json:"current"`
	Retakes int `json:"retakes,omitempty"` // takes replaced by a retake
	// Removed is set when the candidate removed the last take: recording again is a retake.
	Removed bool `json:"removed,omitempty"`
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
