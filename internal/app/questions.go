package app

import (
	"context"
	"net/http"

	"github.com/takes/takes/signaling"
)

// newQuestionRecorder returns the handler of a recruiter's recording of a video
// question. Close waits for its connections through a.background.
func (a *App) newQuestionRecorder(ctx context.Context) http.Handler {
	media, ok := a.media.(signaling.QuestionMedia)
	if !ok {
		media = a.disk // a test's wrapper of the takes' media
	}
	qr := signaling.NewQuestionRecorder(ctx, a.db, media, a.eng, a.log, signaling.Options{})
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		<-ctx.Done()
		qr.Wait()
	}()
	return qr
}
