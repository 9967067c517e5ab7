package app

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/takes/takes/storage"
)

// retentionEvery is how often the retention job looks for answers past their time.
const retentionEvery = time.Hour

// startRetention deletes submitted answers older than their interview's retention
// period: once at start, then every retentionEvery, until ctx ends.
func (a *App) startRetention(ctx context.Context) {
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		a.retentionLoop(ctx, retentionEvery, time.Now)
	}()
}

// retentionLoop runs a retention pass at now(), then one every period until ctx ends.
func (a *App) retentionLoop(ctx context.Context, period time.Duration, now func() time.Time) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		a.retentionPass(now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// retentionPass deletes, as of now, every submitted candidate of an interview with
// a retention period whose answers were submitted longer than that ago.
// It returns how many it deleted; failures are logged, and the next pass tries again.
func (a *App) retentionPass(now time.Time) int {
	ivs, err := a.db.Interviews()
	if err != nil {
		a.log.Error("retention: list interviews", slog.Any("err", err))
		return 0
	}
	deleted := 0
	for _, iv := range ivs {
		if iv.RetentionDays <= 0 {
			continue
		}
		cutoff := now.AddDate(0, 0, -iv.RetentionDays)
		invs, err := a.db.Invitations(iv.ID)
		if err != nil {
			a.log.Error("retention: list invitations", slog.String("interview", iv.ID), slog.Any("err", err))
			continue
		}
		for i := range invs {
			inv := &invs[i]
			if inv.SubmittedAt.IsZero() || !inv.SubmittedAt.Before(cutoff) {
				continue
			}
			if a.retentionDelete(inv, iv.RetentionDays) {
				deleted++
			}
		}
	}
	return deleted
}

// retentionDelete deletes one candidate past the retention period of days, as
// an admin's deletion does: the audit entry, then the records, then the files.
func (a *App) retentionDelete(inv *storage.Invitation, days int) bool {
	log := a.log.With(slog.String("invitation", inv.ID), slog.String("interview", inv.InterviewID))
	err := a.db.Audit(storage.AuditEntry{Actor: "system", Action: "delete candidate (retention)",
		InterviewID: inv.InterviewID, InvitationID: inv.ID,
		Detail: retentionName(inv) + ", submitted " + inv.SubmittedAt.UTC().Format(time.DateOnly) +
			", kept " + pluralDays(days)})
	if err != nil {
		log.Error("retention: audit; the candidate is kept until the next pass", slog.Any("err", err))
		return false
	}
	if _, err := a.db.DeleteCandidate(inv.ID); err != nil {
		if !errors.Is(err, storage.ErrNotFound) { // else an admin deleted them meanwhile
			log.Error("retention: delete candidate", slog.Any("err", err))
		}
		return false
	}
	if err := a.media.RemoveInvitation(inv.InterviewID, inv.ID); err != nil {
		log.Error("retention: remove files; the next start removes them", slog.Any("err", err))
	}
	log.Info("retention: deleted a candidate past the retention period", slog.Int("days", days))
	return true
}

// retentionName is the candidate's name for the audit log: the one they gave, or
// the one they were invited under.
func retentionName(inv *storage.Invitation) string {
	if n := inv.Details["name"]; n != "" {
		return n
	}
	if inv.Name != "" {
		return inv.Name
	}
	return "unnamed candidate"
}

func pluralDays(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}
