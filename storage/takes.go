package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BeginTake records a new take, in state recording, of a question that has no take yet,
// with no retake limit. It returns ErrTakeExists when the question already has one.
func (db *DB) BeginTake(inv *Invitation, question string) (Take, error) {
	return db.BeginTakeWithin(inv, question, 0)
}

// BeginTakeWithin is BeginTake under the question's retake limit: after the candidate
// removed a take, recording again counts as a retake, and ErrRetakeLimit says none is left.
func (db *DB) BeginTakeWithin(inv *Invitation, question string, limit int) (Take, error) {
	var t Take
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := checkOpen(tx, inv.ID); err != nil {
			return err
		}
		a, err := getAnswer(tx, inv.ID, question)
		if err != nil {
			return err
		}
		if a.Removed && a.Current == 0 {
			if !RetakeAllowed(limit, a.Retakes) {
				return ErrRetakeLimit
			}
			a.Retakes++
			a.Removed = false
			if err := putJSON(tx.Bucket(bucketAnswers), answerKey(inv.ID, question), &a); err != nil {
				return err
			}
		}
		t, err = beginTake(tx, inv, question)
		return err
	})
	if err != nil {
		return Take{}, fmt.Errorf("storage: begin take: %w", err)
	}
	return t, nil
}

// ReplaceTake deletes the record of a question's current take and begins the next one,
// in one transaction. It returns the deleted take, whose file the caller removes.
// limit is the question's retake limit (see Question.RetakeLimit); ErrRetakeLimit says it is used up.
func (db *DB) ReplaceTake(inv *Invitation, question string, limit int) (old, next Take, err error) {
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		if err := checkOpen(tx, inv.ID); err != nil {
			return err
		}
		if old, err = currentTake(tx, inv.ID, question); err != nil {
			return err
		}
		a, err := getAnswer(tx, inv.ID, question)
		if err != nil {
			return err
		}
		if !RetakeAllowed(limit, a.Retakes) {
			return ErrRetakeLimit
		}
		a.Retakes++
		if err := putJSON(tx.Bucket(bucketAnswers), answerKey(inv.ID, question), &a); err != nil {
			return err
		}
		if err := deleteTake(tx, old.TakeKey); err != nil {
			return err
		}
		next, err = beginTake(tx, inv, question)
		return err
	})
	if err != nil {
		return Take{}, Take{}, fmt.Errorf("storage: replace take: %w", err)
	}
	return old, next, nil
}

// RemoveTake marks a question's current take removed, so the question has no answer.
// The record stays as a tombstone; the caller deletes the file.
func (db *DB) RemoveTake(inv *Invitation, question string) (Take, error) {
	var t Take
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := checkOpen(tx, inv.ID); err != nil {
			return err
		}
		var err error
		if t, err = currentTake(tx, inv.ID, question); err != nil {
			return err
		}
		t.State = TakeRemoved
		t.FinishedAt = time.Now().UTC()
		if err := putJSON(tx.Bucket(bucketTakes), takeKey(t.TakeKey), &t); err != nil {
			return err
		}
		a, err := getAnswer(tx, inv.ID, question)
		if err != nil {
			return err
		}
		a.Current, a.Removed = 0, true
		return putJSON(tx.Bucket(bucketAnswers), answerKey(inv.ID, question), &a)
	})
	if err != nil {
		return Take{}, fmt.Errorf("storage: remove take: %w", err)
	}
	return t, nil
}

// FinishTake moves a take from recording to draft with its final figures.
func (db *DB) FinishTake(k TakeKey, f Finish) (Take, error) {
	var t Take
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTakes)
		if err := getJSON(b, takeKey(k), &t); err != nil {
			return err
		}
		if t.State != TakeRecording {
			return ErrBadState
		}
		t.State = TakeDraft
		t.DurationMs, t.Bytes, t.End, t.Quality = f.DurationMs, f.Bytes, f.End, f.Quality
		t.FinishedAt = time.Now().UTC()
		return putJSON(b, takeKey(k), &t)
	})
	if err != nil {
		return Take{}, fmt.Errorf("storage: finish take %s: %w", k, err)
	}
	return t, nil
}

// DeleteTake deletes a take's record, for a take that failed or recorded nothing.
// If it was the question's current take, the question is left without one.
func (db *DB) DeleteTake(k TakeKey) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return deleteTake(tx, k)
	})
	if err != nil {
		return fmt.Errorf("storage: delete take %s: %w", k, err)
	}
	return nil
}

// Take returns one take's record.
func (db *DB) Take(k TakeKey) (Take, error) {
	var t Take
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketTakes), takeKey(k), &t)
	})
	if err != nil {
		return Take{}, fmt.Errorf("storage: take %s: %w", k, err)
	}
	return t, nil
}

// Takes returns every take record of an invitation, removed ones included,
// ordered by question ID and take number.
func (db *DB) Takes(invitationID string) ([]Take, error) {
	var out []Take
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return forEachTake(tx, []byte(invitationID+"/"), func(t *Take) error {
			out = append(out, *t)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list takes: %w", err)
	}
	return out, nil
}

// CurrentTakes returns each answered question's current take, by question ID.
func (db *DB) CurrentTakes(invitationID string) (map[string]Take, error) {
	out := make(map[string]Take)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return forEachTake(tx, []byte(invitationID+"/"), func(t *Take) error {
			if t.State != TakeRemoved {
				out[t.Question] = *t
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: current takes: %w", err)
	}
	return out, nil
}

// TakesInState returns every take, across all invitations, that is in state s.
func (db *DB) TakesInState(s TakeState) ([]Take, error) {
	var out []Take
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return forEachTake(tx, nil, func(t *Take) error {
			if t.State == s {
				out = append(out, *t)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: takes in state %s: %w", s, err)
	}
	return out, nil
}

func beginTake(tx *bolt.Tx, inv *Invitation, question string) (Take, error) {
	a, err := getAnswer(tx, inv.ID, question)
	if err != nil {
		return Take{}, err
	}
	if a.Current != 0 {
		return Take{}, ErrTakeExists
	}
	a.Takes++
	a.Current = a.Takes
	t := Take{
		TakeKey:   TakeKey{Interview: inv.InterviewID, Invitation: inv.ID, Question: question, N: a.Takes},
		State:     TakeRecording,
		CreatedAt: time.Now().UTC(),
	}
	if err := putJSON(tx.Bucket(bucketAnswers), answerKey(inv.ID, question), &a); err != nil {
		return Take{}, err
	}
	return t, putJSON(tx.Bucket(bucketTakes), takeKey(t.TakeKey), &t)
}

func currentTake(tx *bolt.Tx, invitation, question string) (Take, error) {
	a, err := getAnswer(tx, invitation, question)
	if err != nil {
		return Take{}, err
	}
	if a.Current == 0 {
		return Take{}, ErrNoTake
	}
	var t Take
	k := TakeKey{Invitation: invitation, Question: question, N: a.Current}
	if err := getJSON(tx.Bucket(bucketTakes), takeKey(k), &t); err != nil {
		return Take{}, fmt.Errorf("current take %s: %w", k, err)
	}
	return t, nil
}

func deleteTake(tx *bolt.Tx, k TakeKey) error {
	if err := tx.Bucket(bucketTakes).Delete(takeKey(k)); err != nil {
		return err
	}
	a, err := getAnswer(tx, k.Invitation, k.Question)
	if err != nil || a.Current != k.N {
		return err
	}
	return setCurrent(tx, k.Invitation, k.Question, 0)
}

func setCurrent(tx *bolt.Tx, invitation, question string, n int) error {
	a, err := getAnswer(tx, invitation, question)
	if err != nil {
		return err
	}
	a.Current = n
	return putJSON(tx.Bucket(bucketAnswers), answerKey(invitation, question), &a)
}

// getAnswer returns the question's answer record, or a zero one if it has none yet.
func getAnswer(tx *bolt.Tx, invitation, question string) (answer, error) {
	var a answer
	err := getJSON(tx.Bucket(bucketAnswers), answerKey(invitation, question), &a)
	if isNotFound(err) {
		err = nil
	}
	return a, err
}

// RetakesUsed returns how many times each question of an invitation was retaken.
func (db *DB) RetakesUsed(invitationID string) (map[string]int, error) {
	out := make(map[string]int)
	prefix := []byte(invitationID + "/")
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAnswers).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var a answer
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			out[string(k[len(prefix):])] = a.Retakes
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: retakes: %w", err)
	}
	return out, nil
}

// AllTakes returns every take record.
func (db *DB) AllTakes() ([]Take, error) {
	var out []Take
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return forEachTake(tx, nil, func(t *Take) error {
			out = append(out, *t)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: all takes: %w", err)
	}
	return out, nil
}
