package app

import (
	"context"
	"net/http"

	"github.com/takes/takes/storage"
)

// startBackground starts the App's background jobs; each ends when ctx is
// cancelled and is waited for by Close through a.background.
func (a *App) startBackground(ctx context.Context) {
	a.startRetention(ctx) // retention.go
	a.startWebhooks(ctx)  // webhook.go
}

// submitted is told by signaling of every submission.
func (a *App) submitted(iv *storage.Interview, inv *storage.Invitation) {
	a.announceSubmission(iv, inv) // webhook.go
}

// questionRecorder returns the handler of a recruiter's recording of a video
// question (see questions.go).
func (a *App) questionRecorder(ctx context.Context) http.Handler {
	return a.newQuestionRecorder(ctx)
}
