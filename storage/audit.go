package storage

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AuditEntry records who did what to which candidate's data: every deletion, and
// every view of a candidate's answers.
type AuditEntry struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
	// Actor says who: a recruiter's email, "share <id>" for a share link,
	// "api <token name>" for an API token, or "system" (retention).
	Actor        string `json:"actor"`
	Action       string `json:"action"` // e.g. "view candidate", "download take", "delete candidate"
	InterviewID  string `json:"interviewId,omitempty"`
	InvitationID string `json:"invitationId,omitempty"`
	Detail       string `json:"detail,omitempty"` // free text, e.g. the candidate's name at deletion
}

// Audit appends e to the audit log, filling in its ID and time.
func (db *DB) Audit(e AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		// Keys follow the order of writing even if the wall clock steps back.
		at := e.At
		if last, _ := b.Cursor().Last(); last != nil {
			if prev := time.Unix(0, int64(binary.BigEndian.Uint64(last))); !at.After(prev) {
				at = prev.Add(time.Nanosecond)
			}
		}
		key := auditKey(at, seq)
		e.ID = fmt.Sprintf("%x", key)
		return putJSON(b, key, e)
	})
	if err != nil {
		return fmt.Errorf("storage: audit: %w", err)
	}
	return nil
}

// auditKey sorts entries by time, then by the order they were written.
func auditKey(at time.Time, seq uint64) []byte {
	key := make([]byte, 16)
	binary.BigEndian.PutUint64(key, uint64(at.UnixNano()))
	binary.BigEndian.PutUint64(key[8:], seq)
	return key
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	InterviewID  string
	InvitationID string
	Before       time.Time // only entries strictly older than this
	Limit        int       // at most this many; zero means 100
}

// AuditLog returns the entries that match f, newest first.
func (db *DB) AuditLog(f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var out []AuditEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		k, v := c.Last()
		if !f.Before.IsZero() {
			if at, _ := c.Seek(auditKey(f.Before, 0)); at != nil {
				k, v = c.Prev()
			} else {
				k, v = c.Last()
			}
		}
		for ; k != nil && len(out) < f.Limit; k, v = c.Prev() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("entry %x: %w", k, err)
			}
			if (f.InterviewID != "" && e.InterviewID != f.InterviewID) ||
				(f.InvitationID != "" && e.InvitationID != f.InvitationID) {
				continue
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: audit log: %w", err)
	}
	return out, nil
}
