package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SetQuestionVideo records whether a question of an interview has a video recorded
// by the recruiter. It returns ErrNotFound (wrapped) when the interview or the
// question does not exist.
func (db *DB) SetQuestionVideo(interviewID, questionID string, has bool) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInterviews)
		var iv Interview
		if err := getJSON(b, []byte(interviewID), &iv); err != nil {
			return err
		}
		i := slices.IndexFunc(iv.Questions, func(q Question) bool { return q.ID == questionID })
		if i < 0 {
			return ErrNotFound
		}
		iv.Questions[i].Video = has
		iv.UpdatedAt = time.Now().UTC()
		return putJSON(b, []byte(interviewID), &iv)
	})
	if err != nil {
		return fmt.Errorf("storage: set video of question %s/%s: %w", interviewID, questionID, err)
	}
	return nil
}

// RemoveQuestionVideo deletes a video question's file and any unfinished one left
// of a recording. A file that is already gone is not an error.
func (d *Disk) RemoveQuestionVideo(interview, question string) error {
	name, err := questionVideoPath(interview, question)
	if err != nil {
		return err
	}
	for _, n := range []string{name, name + partSuffix} {
		if err := d.root.Remove(n); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("storage: remove %s: %w", n, err)
		}
	}
	return nil
}
