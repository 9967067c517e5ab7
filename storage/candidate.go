package storage

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// MarkOpened records the first time the candidate opened the interview.
func (db *DB) MarkOpened(invitationID string) (*Invitation, error) {
	return db.updateInvitation(invitationID, func(inv *Invitation) error {
		if inv.OpenedAt.IsZero() {
			inv.OpenedAt = time.Now().UTC()
		}
		return nil
	})
}

// AcceptPrivacy records that the candidate accepted the privacy policy.
// Accepting again later changes nothing.
func (db *DB) AcceptPrivacy(invitationID string) (*Invitation, error) {
	return db.updateInvitation(invitationID, func(inv *Invitation) error {
		if inv.Stage() == StageSubmitted {
			return ErrSubmitted
		}
		if inv.PrivacyAcceptedAt.IsZero() {
			inv.PrivacyAcceptedAt = time.Now().UTC()
		}
		return nil
	})
}

// SaveDetails records the candidate's personal details, which the caller has checked
// with CheckDetails. The privacy policy must have been accepted.
func (db *DB) SaveDetails(invitationID string, details map[string]string) (*Invitation, error) {
	return db.updateInvitation(invitationID, func(inv *Invitation) error {
		switch inv.Stage() {
		case StagePrivacy:
			return ErrWrongStage
		case StageSubmitted:
			return ErrSubmitted
		}
		inv.Details = details
		inv.DetailsAt = time.Now().UTC()
		return nil
	})
}

// Submit sends the answers: every required question must have a take, and then all
// current takes become submitted and the invitation is closed, in one transaction.
func (db *DB) Submit(iv *Interview, invitationID string) (*Invitation, error) {
	var inv Invitation
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := getJSON(tx.Bucket(bucketInvitations), []byte(invitationID), &inv); err != nil {
			return err
		}
		switch inv.Stage() {
		case StageSubmitted:
			return ErrSubmitted
		case StagePrivacy, StageDetails:
			return ErrWrongStage
		}
		var takes []Take
		missing := &MissingAnswersError{}
		for _, q := range iv.Questions {
			t, err := currentTake(tx, inv.ID, q.ID)
			switch {
			case err == nil && t.State == TakeDraft:
				takes = append(takes, t)
			case err == nil || errors.Is(err, ErrNoTake):
				if !q.Optional {
					missing.Questions = append(missing.Questions, q.ID)
				}
			default:
				return err
			}
		}
		if len(missing.Questions) > 0 {
			return missing
		}
		for _, t := range takes {
			t.State = TakeSubmitted
			if err := putJSON(tx.Bucket(bucketTakes), takeKey(t.TakeKey), &t); err != nil {
				return err
			}
		}
		inv.SubmittedAt = time.Now().UTC()
		return putJSON(tx.Bucket(bucketInvitations), []byte(inv.ID), &inv)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: submit: %w", err)
	}
	return &inv, nil
}

// Invitation returns the invitation with the given ID.
func (db *DB) Invitation(id string) (*Invitation, error) {
	var inv Invitation
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketInvitations), []byte(id), &inv)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: invitation %s: %w", id, err)
	}
	return &inv, nil
}

func (db *DB) updateInvitation(id string, fn func(*Invitation) error) (*Invitation, error) {
	var inv Invitation
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInvitations)
		if err := getJSON(b, []byte(id), &inv); err != nil {
			return err
		}
		if err := fn(&inv); err != nil {
			return err
		}
		return putJSON(b, []byte(id), &inv)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: invitation %s: %w", id, err)
	}
	return &inv, nil
}

// checkOpen fails when the invitation's answers can no longer change.
func checkOpen(tx *bolt.Tx, invitationID string) error {
	var inv Invitation
	if err := getJSON(tx.Bucket(bucketInvitations), []byte(invitationID), &inv); err != nil {
		return err
	}
	switch inv.Stage() {
	case StageSubmitted:
		return ErrSubmitted
	case StageQuestions:
		return nil
	}
	return ErrWrongStage
}

// maxDetail is the longest value a personal field takes, in characters.
const maxDetail = 200

// CheckDetails checks submitted values against the interview's fields. It returns the
// values to keep (trimmed, only the asked fields) and, per field, what is wrong.
func CheckDetails(fields []Field, values map[string]string) (map[string]string, map[string]string) {
	clean := make(map[string]string)
	problems := make(map[string]string)
	for _, f := range fields {
		v := strings.TrimSpace(values[f.Name])
		if msg := checkField(f, v); msg != "" {
			problems[f.Name] = msg
			continue
		}
		if v != "" {
			clean[f.Name] = v
		}
	}
	return clean, problems
}

func checkField(f Field, v string) string {
	switch {
	case v == "" && f.Required:
		return "This field is required."
	case v == "":
		return ""
	case utf8.RuneCountInString(v) > maxDetail || !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n"):
		return fmt.Sprintf("Use at most %d characters on one line.", maxDetail)
	}
	switch f.Kind {
	case FieldEmail:
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
			return "Enter a valid email address, like name@example.com."
		}
	case FieldTel:
		digits := 0
		for _, r := range v {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune(" +-()", r):
			default:
				return "Use only digits, spaces and + - ( )."
			}
		}
		if digits < 6 || digits > 20 {
			return "Enter a phone number of 6 to 20 digits."
		}
	}
	return ""
}
