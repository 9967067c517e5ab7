package signaling

import (
	"errors"
	"log/slog"
	"time"

	"github.com/takes/takes/storage"
)

// checkOpen asks the store, not the connection's copy, whether the invitation may
// still change its answers: a recruiter may withdraw the link or move its deadline
// while the candidate is connected. A withdrawn (or deleted) link changes nothing.
// After the deadline no new take starts (newTake), but drafts may still be removed
// and sent: the deadline stops new recordings, not the sending of finished ones.
func (c *conn) checkOpen(newTake bool) error {
	inv, iv, err := c.h.lookup(c.token)
	if errors.Is(err, storage.ErrNotFound) {
		return errRevoked
	}
	if err != nil {
		return err
	}
	c.inv = inv
	if inv.Revoked() {
		c.log.Info("refused: the link was withdrawn")
		return errRevoked
	}
	if newTake && inv.Closed(iv, time.Now()) {
		c.log.Info("refused: the deadline has passed", slog.Time("deadline", inv.DeadlineIn(iv)))
		return errClosed
	}
	return nil
}
