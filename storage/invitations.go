package storage

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The recruiters' side of invitations: many at once, revoking a link, a
// candidate's own deadline, and the rows of an interview's candidates table.

// CreateInvitations stores new invitations to an existing interview in one
// transaction: either all of them or none. Each gets an ID, a token and a
// creation time; only Name and Email are taken from invs. The creation times
// grow by a nanosecond in the order of invs, so that sorting by CreatedAt keeps
// the order the recruiter gave. It returns ErrNotFound when there is no such interview.
func (db *DB) CreateInvitations(interviewID string, invs []Invitation) ([]Invitation, error) {
	now := time.Now().UTC()
	out := make([]Invitation, len(invs))
	for i, in := range invs {
		out[i] = Invitation{
			ID: NewID(), InterviewID: interviewID, Token: NewToken(),
			Name: in.Name, Email: in.Email, CreatedAt: now.Add(time.Duration(i)),
		}
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketInterviews).Get([]byte(interviewID)) == nil {
			return ErrNotFound
		}
		for i := range out {
			if err := putInvitation(tx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: create invitations to %s: %w", interviewID, err)
	}
	return out, nil
}

// putInvitation stores a new invitation and indexes its token.
func putInvitation(tx *bolt.Tx, inv *Invitation) error {
	if err := putJSON(tx.Bucket(bucketInvitations), []byte(inv.ID), inv); err != nil {
		return err
	}
	return tx.Bucket(bucketTokens).Put([]byte(inv.Token), []byte(inv.ID))
}

// RevokeInvitation withdraws an invitation's link: it sets RevokedAt (once;
// revoking again changes nothing). The token keeps resolving, so that the
// candidate's page can say the link was withdrawn. A submitted invitation cannot
// be revoked: that returns ErrSubmitted.
func (db *DB) RevokeInvitation(id string) (*Invitation, error) {
	return db.updateInvitation(id, func(inv *Invitation) error {
		if !inv.SubmittedAt.IsZero() {
			return fmt.Errorf("revoke: %w", ErrSubmitted)
		}
		if !inv.Revoked() {
			inv.RevokedAt = time.Now().UTC()
		}
		return nil
	})
}

// SetInvitationDeadline gives an invitation its own deadline, which replaces the
// interview's; the zero time clears it. Once the candidate submitted, the
// deadline no longer matters and cannot change: that returns ErrSubmitted.
func (db *DB) SetInvitationDeadline(id string, t time.Time) (*Invitation, error) {
	if !t.IsZero() {
		t = t.UTC()
	}
	return db.updateInvitation(id, func(inv *Invitation) error {
		if !inv.SubmittedAt.IsZero() {
			return fmt.Errorf("set deadline: %w", ErrSubmitted)
		}
		inv.Deadline = t
		return nil
	})
}

// InvitationSummary is one row of an interview's candidates table.
type InvitationSummary struct {
	Invitation
	// Started tells whether the candidate ever recorded a take (see Invitation.Status).
	Started bool
	// SubmittedTakes is how many takes the candidate submitted.
	SubmittedTakes int
}

// Status returns the candidate's status.
func (s *InvitationSummary) Status() Status { return s.Invitation.Status(s.Started) }

// InvitationSummaries returns the invitations to an interview, oldest first,
// each with whether its candidate started and how many takes they submitted,
// read in one transaction. It returns ErrNotFound when there is no such interview.
func (db *DB) InvitationSummaries(interviewID string) ([]InvitationSummary, error) {
	var out []InvitationSummary
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketInterviews).Get([]byte(interviewID)) == nil {
			return ErrNotFound
		}
		return forEachInvitation(tx, func(inv *Invitation) error {
			if inv.InterviewID != interviewID {
				return nil
			}
			sum := InvitationSummary{Invitation: *inv}
			if err := summarizeTakes(tx, &sum); err != nil {
				return err
			}
			out = append(out, sum)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: invitation summaries of %s: %w", interviewID, err)
	}
	slices.SortFunc(out, func(a, b InvitationSummary) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// summarizeTakes fills in what the take records of sum's invitation say.
// A take whose record was deleted (a retake replaces it) still counts as
// started through its question's answer record.
func summarizeTakes(tx *bolt.Tx, sum *InvitationSummary) error {
	prefix := []byte(sum.ID + "/")
	err := forEachTake(tx, prefix, func(t *Take) error {
		sum.Started = true
		if t.State == TakeSubmitted {
			sum.SubmittedTakes++
		}
		return nil
	})
	if err != nil || sum.Started {
		return err
	}
	c := tx.Bucket(bucketAnswers).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var a answer
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("answer %s: %w", k, err)
		}
		if a.Takes > 0 {
			sum.Started = true
			return nil
		}
	}
	return nil
}
