package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/takes/takes/storage"
	"github.com/takes/takes/webhook"
)

// webhookQueueSize bounds the submissions waiting to be announced; more are dropped, with a log line.
const webhookQueueSize = 256

// webhookBackoff are the waits before the retries of a failed delivery.
var webhookBackoff = []time.Duration{time.Second, 5 * time.Second, 25 * time.Second}

// webhookQueue announces submissions to their interviews' webhooks, one delivery
// at a time, from one worker goroutine, so that a slow receiver delays only
// other announcements and never a candidate's submission.
type webhookQueue struct {
	log     *slog.Logger
	client  *http.Client
	backoff []time.Duration // set before the first delivery; tests shorten it
	pending chan delivery
	// sent, when set, is told of each delivery's outcome (for tests).
	sent func(d delivery, err error)
}

// delivery is one event on its way to one webhook.
type delivery struct {
	id   string // the same on every attempt, so the receiver can drop a repeat
	hook storage.Webhook
	ev   webhook.Event
}

func newWebhookQueue(log *slog.Logger) *webhookQueue {
	return &webhookQueue{
		log: log, client: webhook.NewClient(), backoff: webhookBackoff,
		pending: make(chan delivery, webhookQueueSize),
	}
}

// webhooks returns the App's queue, or nil before startWebhooks or after it ended.
func (a *App) webhooks() *webhookQueue { return a.hooks.Load() }

// startWebhooks starts the delivery of submission webhooks; it ends with ctx.
func (a *App) startWebhooks(ctx context.Context) {
	q := newWebhookQueue(a.log)
	a.hooks.Store(q)
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		defer a.hooks.Store(nil)
		q.run(ctx)
	}()
}

// announceSubmission queues the webhook of a submission, if its interview has one.
// It never waits for the receiver: when the queue is full, the announcement is
// dropped and logged. The interview is read again, as the candidate's connection
// may hold it from before an admin set or changed the webhook.
func (a *App) announceSubmission(iv *storage.Interview, inv *storage.Invitation) {
	q := a.webhooks()
	if q == nil {
		return
	}
	if cur, err := a.db.Interview(iv.ID); err == nil {
		iv = cur
	} else {
		a.log.Warn("webhook: reload interview", slog.String("interview", iv.ID), slog.Any("err", err))
	}
	if iv.Webhook == nil {
		return
	}
	q.enqueue(delivery{id: storage.NewID(), hook: *iv.Webhook, ev: submissionEvent(iv, inv)})
}

// submissionEvent describes inv's submission; the candidate is named as invited,
// or as they named themselves when the invitation has no name or email.
func submissionEvent(iv *storage.Interview, inv *storage.Invitation) webhook.Event {
	c := &webhook.Candidate{Name: inv.Name, Email: inv.Email}
	if c.Name == "" {
		c.Name = inv.Details["name"]
	}
	if c.Email == "" {
		c.Email = inv.Details["email"]
	}
	return webhook.Event{
		Event: webhook.EventSubmission, InterviewID: iv.ID, InvitationID: inv.ID, Candidate: c,
		SubmittedAt: inv.SubmittedAt, ResultsURL: "/api/v1/invitations/" + inv.ID + "/results",
	}
}

func (q *webhookQueue) enqueue(d delivery) {
	select {
	case q.pending <- d:
	default:
		q.log.Error("webhook queue full: submission not announced", slog.String("delivery", d.id),
			slog.String("interview", d.ev.InterviewID), slog.String("invitation", d.ev.InvitationID))
	}
}

// run delivers queued events until ctx ends; what is still queued then is dropped.
func (q *webhookQueue) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			if n := len(q.pending); n > 0 {
				q.log.Warn("webhooks not sent at shutdown", slog.Int("count", n))
			}
			return
		case d := <-q.pending:
			err := q.deliver(ctx, d)
			if q.sent != nil {
				q.sent(d, err)
			}
		}
	}
}

// deliver sends d, retrying after each wait of the backoff while the failure
// may pass; it returns the last attempt's error.
func (q *webhookQueue) deliver(ctx context.Context, d delivery) error {
	log := q.log.With(slog.String("delivery", d.id), slog.String("invitation", d.ev.InvitationID))
	for attempt := 0; ; attempt++ {
		err := webhook.Send(ctx, q.client, d.hook, d.id, d.ev, time.Now())
		if err == nil {
			log.Info("webhook delivered", slog.Int("attempt", attempt+1))
			return nil
		}
		if attempt >= len(q.backoff) || !webhook.Retryable(err) || ctx.Err() != nil {
			log.Error("webhook not delivered", slog.Int("attempts", attempt+1), slog.Any("err", err))
			return err
		}
		log.Warn("webhook failed; will retry", slog.Duration("in", q.backoff[attempt]), slog.Any("err", err))
		if !webhookSleep(ctx, q.backoff[attempt]) {
			return ctx.Err()
		}
	}
}

// webhookSleep waits for d, or until ctx ends; it reports whether the whole wait passed.
func webhookSleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
