package app

import (
	"context"
	"net/http"
)

// newQuestionRecorder returns the handler of a recruiter's recording of a video question.
func (a *App) newQuestionRecorder(ctx context.Context) http.Handler {
	return http.NotFoundHandler()
}
