package app

import (
	"context"

	"github.com/takes/takes/storage"
)

// startWebhooks starts the delivery of submission webhooks.
func (a *App) startWebhooks(ctx context.Context) {}

// announceSubmission queues the webhook of a submission, if its interview has one.
func (a *App) announceSubmission(iv *storage.Interview, inv *storage.Invitation) {}
