package storage

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// DeleteCandidate deletes every record of a candidate, submitted or not, in one
// transaction: the invitation and its token, the answers and takes, the share
// links and their tokens, and the ratings and comments. It returns the deleted
// invitation, or ErrNotFound. The media files are not touched: the caller removes
// them afterwards (Media.RemoveInvitation), so that a crash in between leaves
// files without records, which startup deletes, and never records without files.
func (db *DB) DeleteCandidate(invitationID string) (*Invitation, error) {
	var inv Invitation
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := getJSON(tx.Bucket(bucketInvitations), []byte(invitationID), &inv); err != nil {
			return err
		}
		return deleteCandidate(tx, &inv)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: delete candidate %s: %w", invitationID, err)
	}
	return &inv, nil
}

func deleteCandidate(tx *bolt.Tx, inv *Invitation) error {
	if err := tx.Bucket(bucketInvitations).Delete([]byte(inv.ID)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketTokens).Delete([]byte(inv.Token)); err != nil {
		return err
	}
	prefix := []byte(inv.ID + "/")
	for _, name := range [][]byte{bucketAnswers, bucketTakes} {
		if err := deletePrefix(tx.Bucket(name), prefix); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := deleteShares(tx, inv.ID); err != nil {
		return fmt.Errorf("shares: %w", err)
	}
	if err := deleteReviews(tx, inv.ID); err != nil {
		return fmt.Errorf("reviews: %w", err)
	}
	return nil
}

// deletePrefix deletes every key of b that starts with prefix.
func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	return deleteKeys(b, keys)
}
