package storage

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("storage: not found")

// ErrTakeExists is returned when a take is begun on a question that already has one.
var ErrTakeExists = errors.New("storage: question already has a take")

// ErrNoTake is returned when a question's take is replaced or removed but it has none.
var ErrNoTake = errors.New("storage: question has no take")

// ErrBadState is returned when a take is not in the state an operation needs.
var ErrBadState = errors.New("storage: take is not in the required state")

// ErrBadKey is returned when a media key has a part that is not a server-generated ID.
var ErrBadKey = errors.New("storage: malformed media key")

// ErrRetakeLimit is returned when a question's retakes are used up.
var ErrRetakeLimit = errors.New("storage: no retake left")

// ErrWrongStage is returned when an invitation is not at the stage an operation needs.
var ErrWrongStage = errors.New("storage: the interview is not at that stage")

// ErrSubmitted is returned when answers that were submitted would change.
var ErrSubmitted = errors.New("storage: the answers were submitted")

// ErrLocked is returned by Open when another process, such as a running server, has the database open.
var ErrLocked = errors.New("storage: the database is in use by another process")

// ErrEmailTaken is returned when an account is created with the email of another account.
var ErrEmailTaken = errors.New("storage: an account with this email exists")

// ErrBadEmail is returned when an account's email is not a plain address such as name@example.com.
var ErrBadEmail = errors.New("storage: not an email address")

// ErrBadRole is returned when an account's role is neither admin nor reviewer.
var ErrBadRole = errors.New("storage: unknown role")

// MissingAnswersError is returned by Submit when required questions have no take.
type MissingAnswersError struct {
	Questions []string // IDs, in interview order
}

func (e *MissingAnswersError) Error() string {
	return fmt.Sprintf("storage: %d required questions have no answer", len(e.Questions))
}

// ErrBadTokenName is returned when an API token's name is empty or too long.
var ErrBadTokenName = errors.New("storage: an API token needs a name of at most 100 characters")

// ErrQuestionAnswered is matched (with errors.Is) by the QuestionAnsweredError of
// UpdateInterview when it would drop a question that a candidate answered.
var ErrQuestionAnswered = errors.New("storage: a candidate answered the question")

// ErrBadRating is returned for a rating outside 0 (none) to MaxStars.
var ErrBadRating = errors.New("storage: a rating is 1 to 5 stars")

// ErrBadComment is returned for an empty comment or one longer than MaxCommentChars.
var ErrBadComment = errors.New("storage: a comment is 1 to 4000 characters")

// ErrBadStage is returned for a review stage that is not one of the interview's.
var ErrBadStage = errors.New("storage: not a review stage of this interview")

// ErrNotAuthor is returned when someone other than its author deletes a comment.
var ErrNotAuthor = errors.New("storage: only its author can delete a comment")

// ErrBadExpiry is returned when a share link is made without an expiry.
var ErrBadExpiry = errors.New("storage: a share link needs an expiry")
