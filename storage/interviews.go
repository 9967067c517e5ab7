package storage

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// The limits Validate checks.
const (
	MaxTitleChars    = 200
	MaxWelcomeChars  = 5000
	MaxPrivacyChars  = 20000
	MaxQuestions     = 50
	MaxQuestionChars = 2000
	MinTimeLimit     = 10 * time.Second
	MaxTimeLimit     = 60 * time.Minute
	MaxPrepTime      = 10 * time.Minute
	MaxRetakeLimit   = 20
	MaxRetentionDays = 3650
	MaxStages        = 10
	MaxStageChars    = 40
	MaxFieldLabel    = 100
)

// QuestionAnsweredError is returned by UpdateInterview when the update leaves out a
// question that some candidate has a take of (recording, draft or submitted).
type QuestionAnsweredError struct {
	ID   string // the question's ID
	Text string // the question's text, to tell the recruiter which one
}

func (e *QuestionAnsweredError) Error() string {
	return fmt.Sprintf("storage: question %s (%q) has answers and cannot be removed", e.ID, e.Text)
}

// Is makes errors.Is(err, ErrQuestionAnswered) true.
func (e *QuestionAnsweredError) Is(target error) bool { return target == ErrQuestionAnswered }

// ValidationError says what is wrong with an interview, by field. The keys are
// "title", "welcome", "privacy", "fields", "questions", "retentionDays",
// "stages", and "questions.<i>.text", "questions.<i>.timeLimit",
// "questions.<i>.prepTime", "questions.<i>.retakeLimit" with i the question's index.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := slices.Sorted(maps.Keys(e.Fields))
	msgs := make([]string, len(keys))
	for i, k := range keys {
		msgs[i] = k + ": " + e.Fields[k]
	}
	return "storage: invalid interview: " + strings.Join(msgs, "; ")
}

// QuestionKey returns the ValidationError key of a question's field, e.g. "questions.2.text".
func QuestionKey(i int, field string) string {
	return fmt.Sprintf("questions.%d.%s", i, field)
}

// Validate checks what a recruiter sets of an interview. It returns a
// *ValidationError that lists every problem, or nil.
func (iv *Interview) Validate() error {
	problems := make(map[string]string)
	add := func(key, msg string) {
		if msg != "" {
			problems[key] = msg
		}
	}
	add("title", checkText(iv.Title, true, MaxTitleChars, "a title"))
	add("welcome", checkText(iv.Welcome, false, MaxWelcomeChars, "a welcome text"))
	add("privacy", checkText(iv.Privacy, false, MaxPrivacyChars, "a privacy policy"))
	add("fields", checkFields(iv.Fields))
	add("stages", checkStages(iv.Stages))
	if iv.RetentionDays < 0 || iv.RetentionDays > MaxRetentionDays {
		add("retentionDays", fmt.Sprintf("Enter a number of days from 1 to %d, or leave it empty to keep answers until you delete them.", MaxRetentionDays))
	}
	switch {
	case len(iv.Questions) == 0:
		add("questions", "Add at least one question.")
	case len(iv.Questions) > MaxQuestions:
		add("questions", fmt.Sprintf("An interview has at most %d questions.", MaxQuestions))
	}
	for i, q := range iv.Questions {
		for field, msg := range q.problems() {
			add(QuestionKey(i, field), msg)
		}
	}
	if len(problems) > 0 {
		return &ValidationError{Fields: problems}
	}
	return nil
}

// problems returns what is wrong with the question, by field.
func (q *Question) problems() map[string]string {
	out := make(map[string]string)
	if msg := checkText(q.Text, true, MaxQuestionChars, "the question"); msg != "" {
		out["text"] = msg
	}
	if q.TimeLimit != 0 && (q.TimeLimit < MinTimeLimit || q.TimeLimit > MaxTimeLimit) {
		out["timeLimit"] = "Choose a time limit from 10 seconds to 60 minutes, or no time limit."
	}
	if q.PrepTime < 0 || q.PrepTime > MaxPrepTime {
		out["prepTime"] = "Choose a preparation time from 0 to 600 seconds (10 minutes)."
	}
	if q.RetakeLimit < NoRetakes || q.RetakeLimit > MaxRetakeLimit {
		out["retakeLimit"] = fmt.Sprintf("Choose from 0 to %d retakes, or leave it empty for unlimited retakes.", MaxRetakeLimit)
	}
	return out
}

// checkText returns what is wrong with a text of at most max characters, or "".
// what names the text in the message, e.g. "a title".
func checkText(s string, required bool, max int, what string) string {
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "This text has characters that cannot be stored. Type it again."
	case required && strings.TrimSpace(s) == "":
		return "Enter " + what + "."
	case utf8.RuneCountInString(s) > max:
		return fmt.Sprintf("Shorten this to at most %d characters; it has %d.", max, utf8.RuneCountInString(s))
	}
	return ""
}

// checkFields checks the personal details asked. nil means DefaultFields; an
// empty, non-nil list asks nothing, which cannot be stored (it would read back as nil).
func checkFields(fields []Field) string {
	if fields != nil && len(fields) == 0 {
		return "Ask for at least one personal detail, such as the name, so that you know who answered."
	}
	seen := make(map[string]bool)
	for _, f := range fields {
		switch {
		case !validFieldName(f.Name) || seen[f.Name]:
			return fmt.Sprintf("The field name %q is not a unique name of lower-case letters, digits and _.", f.Name)
		case strings.TrimSpace(f.Label) == "" || utf8.RuneCountInString(f.Label) > MaxFieldLabel:
			return fmt.Sprintf("Give the field %q a label of 1 to %d characters.", f.Name, MaxFieldLabel)
		case f.Kind != FieldText && f.Kind != FieldEmail && f.Kind != FieldTel:
			return fmt.Sprintf("The field %q has an unknown kind %q: use text, email or tel.", f.Name, f.Kind)
		}
		seen[f.Name] = true
	}
	return ""
}

func validFieldName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// checkStages checks review stages; none (nil) means DefaultStages.
func checkStages(stages []string) string {
	if len(stages) > MaxStages {
		return fmt.Sprintf("Use at most %d stages.", MaxStages)
	}
	seen := make(map[string]bool)
	for _, st := range stages {
		switch {
		case strings.TrimSpace(st) == "":
			return "A stage cannot be empty: write one stage name per line."
		case st != strings.TrimSpace(st) || strings.ContainsAny(st, "\r\n\x00"):
			return fmt.Sprintf("The stage %q has spaces around it or line breaks in it.", st)
		case utf8.RuneCountInString(st) > MaxStageChars:
			return fmt.Sprintf("Shorten the stage %q to at most %d characters.", st, MaxStageChars)
		case seen[strings.ToLower(st)]:
			return fmt.Sprintf("The stage %q is listed twice; each stage must be different.", st)
		}
		seen[strings.ToLower(st)] = true
	}
	return ""
}

// UpdateInterview replaces what a recruiter edits of the stored interview iv.ID:
// title, welcome, privacy, fields, questions, deadline, retention and stages. It
// keeps the stored ID, CreatedAt and Webhook, and sets UpdatedAt. A question
// whose ID is not one of the interview's gets a new ID; a kept question keeps its
// stored Video flag, which only a recording sets. It refuses an invalid interview
// (*ValidationError) and leaving out a question that a candidate has a take of
// (*QuestionAnsweredError). On success iv holds what was stored.
func (db *DB) UpdateInterview(iv *Interview) error {
	if err := iv.Validate(); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var old Interview
		if err := getJSON(tx.Bucket(bucketInterviews), []byte(iv.ID), &old); err != nil {
			return err
		}
		next := *iv
		next.Questions = mergeQuestions(old.Questions, iv.Questions)
		if err := checkDropped(tx, &old, next.Questions); err != nil {
			return err
		}
		next.CreatedAt, next.Webhook, next.UpdatedAt = old.CreatedAt, old.Webhook, time.Now().UTC()
		if err := putJSON(tx.Bucket(bucketInterviews), []byte(iv.ID), &next); err != nil {
			return err
		}
		*iv = next
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: update interview %s: %w", iv.ID, err)
	}
	return nil
}

// mergeQuestions returns the new questions with their IDs and Video flags
// settled against the stored ones.
func mergeQuestions(old, next []Question) []Question {
	stored := make(map[string]Question, len(old))
	for _, q := range old {
		stored[q.ID] = q
	}
	out := make([]Question, len(next))
	used := make(map[string]bool, len(next))
	for i, q := range next {
		prev, ok := stored[q.ID]
		if !ok || used[q.ID] {
			q.ID, q.Video = NewID(), false
		} else {
			q.Video = prev.Video
		}
		used[q.ID] = true
		out[i] = q
	}
	return out
}

// checkDropped returns a *QuestionAnsweredError when a question of old that is
// not in kept has a take that was not removed.
func checkDropped(tx *bolt.Tx, old *Interview, kept []Question) error {
	var dropped []Question
	for _, q := range old.Questions {
		if !slices.ContainsFunc(kept, func(k Question) bool { return k.ID == q.ID }) {
			dropped = append(dropped, q)
		}
	}
	if len(dropped) == 0 {
		return nil
	}
	answered, err := answeredQuestions(tx, old.ID)
	if err != nil {
		return err
	}
	for _, q := range dropped {
		if answered[q.ID] {
			return &QuestionAnsweredError{ID: q.ID, Text: q.Text}
		}
	}
	return nil
}

// AnsweredQuestions returns the IDs of the interview's questions that some
// candidate has a take of (recording, draft or submitted): those UpdateInterview
// refuses to drop.
func (db *DB) AnsweredQuestions(interviewID string) (map[string]bool, error) {
	var out map[string]bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, err = answeredQuestions(tx, interviewID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: answered questions of %s: %w", interviewID, err)
	}
	return out, nil
}

func answeredQuestions(tx *bolt.Tx, interviewID string) (map[string]bool, error) {
	out := make(map[string]bool)
	invs, err := invitationIDs(tx, interviewID)
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		err := forEachTake(tx, []byte(inv+"/"), func(t *Take) error {
			if t.State != TakeRemoved {
				out[t.Question] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// invitationIDs returns the IDs of the interview's invitations.
func invitationIDs(tx *bolt.Tx, interviewID string) ([]string, error) {
	var out []string
	err := forEachInvitation(tx, func(inv *Invitation) error {
		if inv.InterviewID == interviewID {
			out = append(out, inv.ID)
		}
		return nil
	})
	return out, err
}

func forEachInvitation(tx *bolt.Tx, fn func(inv *Invitation) error) error {
	return tx.Bucket(bucketInvitations).ForEach(func(k, v []byte) error {
		var inv Invitation
		if err := json.Unmarshal(v, &inv); err != nil {
			return fmt.Errorf("invitation %s: %w", k, err)
		}
		return fn(&inv)
	})
}

// InvitationCount is how many candidates an interview has, for the dashboard.
type InvitationCount struct {
	Invited   int // every invitation, revoked ones included
	Submitted int // those who sent their answers
}

// InvitationCounts returns, by interview ID, how many candidates were invited
// and how many submitted, in one pass over the invitations. Interviews without
// invitations are absent.
func (db *DB) InvitationCounts() (map[string]InvitationCount, error) {
	out := make(map[string]InvitationCount)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return forEachInvitation(tx, func(inv *Invitation) error {
			c := out[inv.InterviewID]
			c.Invited++
			if !inv.SubmittedAt.IsZero() {
				c.Submitted++
			}
			out[inv.InterviewID] = c
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: count invitations: %w", err)
	}
	return out, nil
}
