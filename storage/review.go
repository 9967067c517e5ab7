package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// The reviews bucket holds, per submitted invitation and question, each
// reviewer's rating and everyone's comments. Keys start with the invitation ID,
// so all of a candidate's reviews sit together:
//
//	<invitation>/<question>/r/<user ID>      → Rating
//	<invitation>/<question>/c/<%016x seq>    → Comment (in the order written)

// MaxStars is the highest rating; ratings go from 1 to MaxStars.
const MaxStars = 5

// MaxCommentChars is the longest comment, in characters.
const MaxCommentChars = 4000

// Rating is one reviewer's stars for one answer.
type Rating struct {
	Question string    `json:"question"`
	UserID   string    `json:"userId"`
	Stars    int       `json:"stars"`
	At       time.Time `json:"at"`
}

// Comment is one reviewer's note on one answer.
type Comment struct {
	ID       string    `json:"id"`
	Question string    `json:"question"`
	UserID   string    `json:"userId"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
}

// AnswerReviews are the ratings and comments of one answer.
type AnswerReviews struct {
	Ratings  []Rating  // one per reviewer who rated
	Comments []Comment // oldest first
}

// Average returns the mean of the ratings, and how many there are.
func (a AnswerReviews) Average() (float64, int) {
	return average(a.Ratings)
}

// Reviews are all the ratings and comments of one candidate, by question ID.
type Reviews map[string]AnswerReviews

// Average returns the mean of all the candidate's ratings, and how many there are.
func (rv Reviews) Average() (float64, int) {
	var all []Rating
	for _, a := range rv {
		all = append(all, a.Ratings...)
	}
	return average(all)
}

func average(rs []Rating) (float64, int) {
	if len(rs) == 0 {
		return 0, 0
	}
	sum := 0
	for _, r := range rs {
		sum += r.Stars
	}
	return float64(sum) / float64(len(rs)), len(rs)
}

func reviewPrefix(invitation string) []byte { return []byte(invitation + "/") }

func ratingKey(invitation, question, userID string) []byte {
	return []byte(invitation + "/" + question + "/r/" + userID)
}

func commentKey(invitation, question, id string) []byte {
	return []byte(invitation + "/" + question + "/c/" + id)
}

// Rate sets userID's rating of an answer of a submitted candidate to stars
// (1 to MaxStars); 0 clears it.
func (db *DB) Rate(invitation, question, userID string, stars int) error {
	if stars < 0 || stars > MaxStars {
		return fmt.Errorf("storage: rate: %w", ErrBadRating)
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := checkReviewable(tx, invitation, question); err != nil {
			return err
		}
		key, b := ratingKey(invitation, question, userID), tx.Bucket(bucketReviews)
		if stars == 0 {
			return b.Delete(key)
		}
		r := Rating{Question: question, UserID: userID, Stars: stars, At: time.Now().UTC()}
		return putJSON(b, key, &r)
	})
	if err != nil {
		return fmt.Errorf("storage: rate: %w", err)
	}
	return nil
}

// AddComment adds userID's comment to an answer of a submitted candidate. The text is
// trimmed; ErrBadComment says it is empty or too long.
func (db *DB) AddComment(invitation, question, userID, text string) (Comment, error) {
	text = strings.TrimSpace(text)
	if text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxCommentChars {
		return Comment{}, fmt.Errorf("storage: add comment: %w", ErrBadComment)
	}
	c := Comment{Question: question, UserID: userID, Text: text, At: time.Now().UTC()}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := checkReviewable(tx, invitation, question); err != nil {
			return err
		}
		b := tx.Bucket(bucketReviews)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		c.ID = fmt.Sprintf("%016x", seq)
		return putJSON(b, commentKey(invitation, question, c.ID), &c)
	})
	if err != nil {
		return Comment{}, fmt.Errorf("storage: add comment: %w", err)
	}
	return c, nil
}

// DeleteComment deletes a comment; only its author, userID, may.
func (db *DB) DeleteComment(invitation, question, commentID, userID string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, key := tx.Bucket(bucketReviews), commentKey(invitation, question, commentID)
		var c Comment
		if err := getJSON(b, key, &c); err != nil {
			return err
		}
		if c.UserID != userID {
			return ErrNotAuthor
		}
		return b.Delete(key)
	})
	if err != nil {
		return fmt.Errorf("storage: delete comment: %w", err)
	}
	return nil
}

// Reviews returns every rating and comment of a candidate, by question ID.
func (db *DB) Reviews(invitation string) (Reviews, error) {
	out := make(Reviews)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return forEachReview(tx, invitation, func(k, v []byte) error {
			return out.add(k, v)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: reviews of %s: %w", invitation, err)
	}
	return out, nil
}

// add decodes one record of the reviews bucket into rv.
func (rv Reviews) add(k, v []byte) error {
	parts := strings.Split(string(k), "/")
	if len(parts) != 4 {
		return fmt.Errorf("review key %q", k)
	}
	a := rv[parts[1]]
	switch parts[2] {
	case "r":
		var r Rating
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("rating %s: %w", k, err)
		}
		a.Ratings = append(a.Ratings, r)
	case "c":
		var c Comment
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("comment %s: %w", k, err)
		}
		a.Comments = append(a.Comments, c)
	}
	rv[parts[1]] = a
	return nil
}

func forEachReview(tx *bolt.Tx, invitation string, fn func(k, v []byte) error) error {
	prefix := reviewPrefix(invitation)
	c := tx.Bucket(bucketReviews).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// deleteReviews deletes every rating and comment of a candidate, in tx. The
// deletion of a candidate calls it in the transaction that deletes their records.
func deleteReviews(tx *bolt.Tx, invitation string) error {
	var keys [][]byte
	err := forEachReview(tx, invitation, func(k, _ []byte) error {
		keys = append(keys, bytes.Clone(k))
		return nil
	})
	if err != nil {
		return err
	}
	b := tx.Bucket(bucketReviews)
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("delete review %s: %w", k, err)
		}
	}
	return nil
}

// checkReviewable fails unless the invitation was submitted and question is one of its interview's.
func checkReviewable(tx *bolt.Tx, invitation, question string) error {
	inv, iv, err := submittedInvitation(tx, invitation)
	if err != nil {
		return err
	}
	if _, ok := iv.Question(question); !ok {
		return fmt.Errorf("question %s of %s: %w", question, inv.InterviewID, ErrNotFound)
	}
	return nil
}

// submittedInvitation returns a submitted invitation and its interview; ErrWrongStage
// when the candidate has not submitted.
func submittedInvitation(tx *bolt.Tx, invitation string) (*Invitation, *Interview, error) {
	var inv Invitation
	if err := getJSON(tx.Bucket(bucketInvitations), []byte(invitation), &inv); err != nil {
		return nil, nil, err
	}
	if inv.Stage() != StageSubmitted {
		return nil, nil, ErrWrongStage
	}
	var iv Interview
	if err := getJSON(tx.Bucket(bucketInterviews), []byte(inv.InterviewID), &iv); err != nil {
		return nil, nil, fmt.Errorf("interview %s: %w", inv.InterviewID, err)
	}
	return &inv, &iv, nil
}

// SetReviewStage puts a submitted candidate at stage, one of their interview's
// ReviewStages (ErrBadStage otherwise).
func (db *DB) SetReviewStage(invitation, stage string) (*Invitation, error) {
	var inv *Invitation
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var iv *Interview
		var err error
		if inv, iv, err = submittedInvitation(tx, invitation); err != nil {
			return err
		}
		if !slices.Contains(iv.ReviewStages(), stage) {
			return ErrBadStage
		}
		inv.ReviewStage = stage
		return putJSON(tx.Bucket(bucketInvitations), []byte(inv.ID), inv)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: set review stage of %s: %w", invitation, err)
	}
	return inv, nil
}

// ReviewStageIn returns the candidate's review stage in iv: the one set, or the
// first of iv's stages when none is set or the one set is no longer among them.
func (inv *Invitation) ReviewStageIn(iv *Interview) string {
	stages := iv.ReviewStages()
	if slices.Contains(stages, inv.ReviewStage) {
		return inv.ReviewStage
	}
	return stages[0]
}

// SubmittedInvitations returns the invitations to an interview whose answers were
// submitted, the latest submission first. Drafts are never among them.
func (db *DB) SubmittedInvitations(interviewID string) ([]Invitation, error) {
	all, err := db.Invitations(interviewID)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(all, func(inv Invitation) bool { return inv.Stage() != StageSubmitted })
	slices.SortStableFunc(out, func(a, b Invitation) int { return b.SubmittedAt.Compare(a.SubmittedAt) })
	return out, nil
}
