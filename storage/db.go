// Package storage keeps Takes' records in a bbolt file and its media on local disk.
package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var (
	bucketInterviews  = []byte("interviews")
	bucketInvitations = []byte("invitations")
	bucketTokens      = []byte("tokens")
	bucketAnswers     = []byte("answers")
	bucketTakes       = []byte("takes")
	bucketAudit       = []byte("audit")   // see audit.go
	bucketReviews     = []byte("reviews") // ratings and comments: see review.go
	bucketShares      = []byte("shares")  // read-only review links: see shares.go
	bucketShareTokens = []byte("share_tokens")
	bucketAPITokens   = []byte("api_tokens") // see apitokens.go
)

// DB is the record store: interviews, invitations, answers and takes.
// It is safe for concurrent use.
type DB struct {
	bolt *bolt.DB
}

// Open opens (creating if needed) the bbolt file at path.
func Open(path string) (*DB, error) {
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		err = ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketInterviews, bucketInvitations, bucketTokens, bucketAnswers, bucketTakes,
			bucketUsers, bucketUserEmails, bucketSessions,
			bucketAudit, bucketReviews, bucketShares, bucketShareTokens, bucketAPITokens} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("storage: create buckets: %w", err)
	}
	return &DB{bolt: b}, nil
}

// Close closes the file.
func (db *DB) Close() error {
	return db.bolt.Close()
}

// CreateInterview stores a new interview, giving it and its questions IDs where they have none.
func (db *DB) CreateInterview(iv *Interview) error {
	if iv.ID == "" {
		iv.ID = NewID()
	}
	for i := range iv.Questions {
		if iv.Questions[i].ID == "" {
			iv.Questions[i].ID = NewID()
		}
	}
	if iv.CreatedAt.IsZero() {
		iv.CreatedAt = time.Now().UTC()
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketInterviews), []byte(iv.ID), iv)
	})
}

// Interview returns the interview with the given ID.
func (db *DB) Interview(id string) (*Interview, error) {
	var iv Interview
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketInterviews), []byte(id), &iv)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: interview %s: %w", id, err)
	}
	return &iv, nil
}

// Interviews returns every interview, in ID order.
func (db *DB) Interviews() ([]Interview, error) {
	var out []Interview
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInterviews).ForEach(func(_, v []byte) error {
			var iv Interview
			if err := json.Unmarshal(v, &iv); err != nil {
				return err
			}
			out = append(out, iv)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list interviews: %w", err)
	}
	return out, nil
}

// CreateInvitation stores a new invitation to an existing interview, giving it an ID and a token.
func (db *DB) CreateInvitation(inv *Invitation) error {
	inv.ID = NewID()
	inv.Token = NewToken()
	if inv.CreatedAt.IsZero() {
		inv.CreatedAt = time.Now().UTC()
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketInterviews).Get([]byte(inv.InterviewID)) == nil {
			return ErrNotFound
		}
		if err := putJSON(tx.Bucket(bucketInvitations), []byte(inv.ID), inv); err != nil {
			return err
		}
		return tx.Bucket(bucketTokens).Put([]byte(inv.Token), []byte(inv.ID))
	})
	if err != nil {
		return fmt.Errorf("storage: create invitation: %w", err)
	}
	return nil
}

// InvitationByToken returns the invitation whose token is token.
func (db *DB) InvitationByToken(token string) (*Invitation, error) {
	var inv Invitation
	err := db.bolt.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketTokens).Get([]byte(token))
		if id == nil {
			return ErrNotFound
		}
		return getJSON(tx.Bucket(bucketInvitations), id, &inv)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: invitation by token: %w", err)
	}
	return &inv, nil
}

// Invitations returns the invitations to one interview.
func (db *DB) Invitations(interviewID string) ([]Invitation, error) {
	var out []Invitation
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInvitations).ForEach(func(_, v []byte) error {
			var inv Invitation
			if err := json.Unmarshal(v, &inv); err != nil {
				return err
			}
			if inv.InterviewID == interviewID {
				out = append(out, inv)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list invitations: %w", err)
	}
	return out, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

func getJSON(b *bolt.Bucket, key []byte, v any) error {
	data := b.Get(key)
	if data == nil {
		return ErrNotFound
	}
	return json.Unmarshal(data, v)
}

// answerKey is "invitation/question"; takeKey appends "/n" with n zero-padded so keys sort by n.
func answerKey(invitation, question string) []byte {
	return []byte(invitation + "/" + question)
}

func takeKey(k TakeKey) []byte {
	return fmt.Appendf(nil, "%s/%s/%08d", k.Invitation, k.Question, k.N)
}

// forEachTake calls fn for every take whose key starts with prefix.
func forEachTake(tx *bolt.Tx, prefix []byte, fn func(t *Take) error) error {
	c := tx.Bucket(bucketTakes).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var t Take
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("take %s: %w", k, err)
		}
		if err := fn(&t); err != nil {
			return err
		}
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
