package signaling

import (
	"errors"

	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// protocolError is a refusal sent to the browser as an error event: a stable code
// and a message a candidate can read.
type protocolError struct {
	code    string
	message string
}

func (e *protocolError) Error() string { return e.code + ": " + e.message }

// The refusals of the protocol, documented in docs/protocol.md.
var (
	errBadMessage       = &protocolError{"bad-message", "The message could not be read."}
	errUnknownType      = &protocolError{"unknown-type", "The server does not know this command."}
	errTooLarge         = &protocolError{"too-large", "The message is too large."}
	errUnknownQuestion  = &protocolError{"unknown-question", "There is no such question in this interview."}
	errAlreadyRecording = &protocolError{"already-recording", "A recording is already in progress. Stop it first."}
	errNotRecording     = &protocolError{"not-recording", "There is no recording to stop."}
	errTakeExists       = &protocolError{"take-exists", "This question already has a recording. Use Retake to record it again."}
	errNoTake           = &protocolError{"no-take", "This question has no recording."}
	errNoMedia          = &protocolError{"no-media", "Your camera and microphone are not connected yet. Wait a moment and try again."}
	errEmptyTake        = &protocolError{"empty-take", "Nothing was recorded: no video arrived before Stop. Please record again."}
	errWriteFailed      = &protocolError{"write-failed", "The server could not save this recording. Your earlier recordings are safe. Please try again."}
	errBadSDP           = &protocolError{"bad-sdp", "The connection details could not be used."}
	errSubmitted        = &protocolError{"submitted", "Your answers have been sent; they can no longer be changed."}
	errInternal         = &protocolError{"internal", "Something went wrong on the server. Please try again."}
	errReplacedMsg      = &protocolError{"replaced", "This interview was opened again, in another window or tab. Continue there, or reload this page to continue here."}
	errWrongStage       = &protocolError{"wrong-stage", "Please accept the privacy policy and give your details first."}
	errInvalidDetails   = &protocolError{"invalid-details", "Please check the marked fields."}
	errRetakeLimit      = &protocolError{"retake-limit", "You have used all the retakes for this question."}
	errMissingAnswers   = &protocolError{"missing-answers", "Please answer every required question first."}
	errClosed           = &protocolError{"closed", "The deadline for this interview has passed, so no new answers can be recorded. You can still send the answers you have already recorded."}
	errRevoked          = &protocolError{"revoked", "This interview link was withdrawn. If you think this is a mistake, contact the person who invited you."}
)

// toProtocol maps an error from the recorder or the store to a refusal.
func toProtocol(err error) *protocolError {
	var pe *protocolError
	var de *detailsError
	var me *storage.MissingAnswersError
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &de):
		return errInvalidDetails
	case errors.As(err, &me):
		return errMissingAnswers
	case errors.Is(err, storage.ErrSubmitted):
		return errSubmitted
	case errors.Is(err, storage.ErrWrongStage):
		return errWrongStage
	case errors.Is(err, storage.ErrRetakeLimit):
		return errRetakeLimit
	case errors.Is(err, recorder.ErrRecording):
		return errAlreadyRecording
	case errors.Is(err, recorder.ErrNotRecording):
		return errNotRecording
	case errors.Is(err, recorder.ErrNoMedia), errors.Is(err, recorder.ErrClosed):
		return errNoMedia
	case errors.Is(err, recorder.ErrEmptyTake):
		return errEmptyTake
	case errors.Is(err, storage.ErrTakeExists):
		return errTakeExists
	case errors.Is(err, storage.ErrNoTake):
		return errNoTake
	}
	return errInternal
}
