package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// interviewForm is the interview editor: what the recruiter typed, as typed, so
// that the page can show it again with what is wrong next to each field.
type interviewForm struct {
	page
	ID string // "" for a new interview
	// InterviewTitle is the interview's title (page.Title is the page's).
	InterviewTitle string
	Welcome        string
	Privacy        string
	Fields         []fieldRow
	Deadline       string // as an <input type="datetime-local"> value, in UTC
	Retention      string // days; "" keeps answers until deleted
	Stages         string // one per line
	Questions      []questionRow
	// Problems says what is wrong, by the keys of storage.ValidationError (plus
	// "deadline", and "questions.<i>" for a question that cannot be removed).
	Problems map[string]string
}

// fieldRow is one personal detail the form offers to ask.
type fieldRow struct {
	Name, Label   string
	Kind          storage.FieldKind
	Ask, Required bool
}

// questionRow is one question of the form, with its numbers as typed.
type questionRow struct {
	Index, Number int  // from 0, and from 1 as shown
	First, Last   bool // in the list, for the move buttons
	ID            string
	Text          string
	Minutes       string
	Seconds       string
	NoLimit       bool
	Prep          string // seconds
	Retakes       string // "" for unlimited
	Required      bool
	Saved         bool // the question is stored: it may have a video question
	Video         bool // a video question is recorded
	Answered      bool // a candidate has a take of it, so it cannot be removed
}

// fieldPresets are the personal details a recruiter can choose to ask.
func fieldPresets() []storage.Field {
	return append(storage.DefaultFields(),
		storage.Field{Name: "linkedin", Label: "LinkedIn profile URL", Kind: storage.FieldText},
		storage.Field{Name: "portfolio", Label: "Portfolio or website URL", Kind: storage.FieldText},
		storage.Field{Name: "city", Label: "City", Kind: storage.FieldText},
	)
}

// fieldRows returns the presets, then any other asked field, marking the asked ones.
func fieldRows(asked []storage.Field) []fieldRow {
	var rows []fieldRow
	for _, f := range fieldPresets() {
		rows = append(rows, fieldRow{Name: f.Name, Label: f.Label, Kind: f.Kind})
	}
	for _, f := range asked {
		i := slices.IndexFunc(rows, func(r fieldRow) bool { return r.Name == f.Name })
		if i < 0 {
			rows, i = append(rows, fieldRow{Name: f.Name}), len(rows)
		}
		rows[i] = fieldRow{Name: f.Name, Label: f.Label, Kind: f.Kind, Ask: true, Required: f.Required}
	}
	return rows
}

// newQuestionRow is the row of a question just added.
func newQuestionRow() questionRow {
	return questionRowOf(storage.Question{TimeLimit: storage.DefaultTimeLimit}, nil)
}

// questionRowOf shows a question in the form.
func questionRowOf(q storage.Question, answered map[string]bool) questionRow {
	limit := q.TimeLimit
	if limit <= 0 {
		limit = storage.DefaultTimeLimit // what unticking "No time limit" starts from
	}
	row := questionRow{
		ID: q.ID, Text: q.Text, NoLimit: q.TimeLimit <= 0, Required: !q.Optional,
		Minutes: strconv.Itoa(int(limit / time.Minute)), Seconds: fmt.Sprintf("%02d", int(limit%time.Minute/time.Second)),
		Prep: strconv.Itoa(int(q.PrepTime / time.Second)), Saved: q.ID != "", Video: q.Video, Answered: answered[q.ID],
	}
	switch {
	case q.RetakeLimit == storage.NoRetakes:
		row.Retakes = "0"
	case q.RetakeLimit > 0:
		row.Retakes = strconv.Itoa(q.RetakeLimit)
	}
	return row
}

// formFromInterview fills the form with iv (stored, or the start of a new one).
func formFromInterview(iv *storage.Interview, answered map[string]bool) *interviewForm {
	f := &interviewForm{
		ID: iv.ID, InterviewTitle: iv.Title, Welcome: iv.Welcome, Privacy: iv.Privacy,
		Fields: fieldRows(iv.AskedFields()), Deadline: datetimeLocal(iv.Deadline),
		Stages: strings.Join(iv.ReviewStages(), "\n"),
	}
	if iv.RetentionDays > 0 {
		f.Retention = strconv.Itoa(iv.RetentionDays)
	}
	for _, q := range iv.Questions {
		f.Questions = append(f.Questions, questionRowOf(q, answered))
	}
	return f
}

// readInterviewForm reads the posted form. stored is the interview being edited
// (nil for a new one): question IDs that are not its own are dropped, and what
// the form does not carry (video, answered) is taken from it.
func readInterviewForm(r *http.Request, stored *storage.Interview, answered map[string]bool) *interviewForm {
	f := &interviewForm{
		InterviewTitle: r.PostFormValue("title"), Welcome: r.PostFormValue("welcome"), Privacy: r.PostFormValue("privacy"),
		Deadline: r.PostFormValue("deadline"), Retention: r.PostFormValue("retention"), Stages: r.PostFormValue("stages"),
	}
	var asked []storage.Field
	if stored != nil {
		f.ID, asked = stored.ID, stored.AskedFields()
	}
	f.Fields = fieldRows(asked)
	for i := range f.Fields {
		f.Fields[i].Ask = slices.Contains(r.PostForm["ask"], f.Fields[i].Name)
		f.Fields[i].Required = slices.Contains(r.PostForm["require"], f.Fields[i].Name)
	}
	n, _ := strconv.Atoi(r.PostFormValue("questions"))
	for i := range min(max(n, 0), maxFormQuestions) {
		f.Questions = append(f.Questions, readQuestionRow(r, i))
	}
	f.attach(stored, answered)
	return f
}

func readQuestionRow(r *http.Request, i int) questionRow {
	v := func(name string) string { return r.PostFormValue(fmt.Sprintf("q.%d.%s", i, name)) }
	return questionRow{
		ID: v("id"), Text: v("text"), Minutes: v("min"), Seconds: v("sec"), NoLimit: v("nolimit") != "",
		Prep: v("prep"), Retakes: v("retakes"), Required: v("required") != "",
	}
}

// attach settles each row's ID against the stored questions: an ID that is not
// one of theirs (or seen before) is dropped, so the row becomes a new question.
func (f *interviewForm) attach(stored *storage.Interview, answered map[string]bool) {
	seen := make(map[string]bool)
	for i := range f.Questions {
		row := &f.Questions[i]
		var q storage.Question
		ok := false
		if stored != nil && !seen[row.ID] {
			q, ok = stored.Question(row.ID)
		}
		if !ok {
			row.ID = ""
		}
		seen[row.ID] = true
		row.Saved, row.Video, row.Answered = ok, ok && q.Video, ok && answered[q.ID]
	}
}

// errUnknownAction is returned by apply for a button it does not know.
var errUnknownAction = errors.New("web: unknown form action")

// apply carries out a button that changes the questions on the page only:
// "add", "remove:<i>", "up:<i>" or "down:<i>". It returns the status to answer with.
func (f *interviewForm) apply(action string) (int, error) {
	verb, arg, _ := strings.Cut(action, ":")
	if verb == "add" {
		return f.add(), nil
	}
	i, err := strconv.Atoi(arg)
	if err != nil || i < 0 || i >= len(f.Questions) {
		return 0, errUnknownAction
	}
	qs := f.Questions
	switch verb {
	case "remove":
		return f.remove(i), nil
	case "up":
		if i > 0 {
			qs[i-1], qs[i] = qs[i], qs[i-1]
		}
	case "down":
		if i < len(qs)-1 {
			qs[i], qs[i+1] = qs[i+1], qs[i]
		}
	default:
		return 0, errUnknownAction
	}
	return http.StatusOK, nil
}

func (f *interviewForm) add() int {
	if len(f.Questions) >= storage.MaxQuestions {
		f.problem("questions", fmt.Sprintf("An interview has at most %d questions.", storage.MaxQuestions))
		return http.StatusUnprocessableEntity
	}
	f.Questions = append(f.Questions, newQuestionRow())
	return http.StatusOK
}

func (f *interviewForm) remove(i int) int {
	if f.Questions[i].Answered {
		f.problem(fmt.Sprintf("questions.%d", i), "Candidates have answered this question, so it cannot be "+
			"removed: their answers would lose their question. You can still edit its text.")
		return http.StatusUnprocessableEntity
	}
	f.Questions = slices.Delete(f.Questions, i, i+1)
	return http.StatusOK
}

func (f *interviewForm) problem(key, msg string) {
	if f.Problems == nil {
		f.Problems = make(map[string]string)
	}
	if _, ok := f.Problems[key]; !ok {
		f.Problems[key] = msg
	}
}

// renumber sets each question row's place in the list.
func (f *interviewForm) renumber() {
	for i := range f.Questions {
		row := &f.Questions[i]
		row.Index, row.Number, row.First, row.Last = i, i+1, i == 0, i == len(f.Questions)-1
	}
}

// interview returns the interview the form describes, and sets f.Problems to
// everything wrong with it.
func (f *interviewForm) interview() *storage.Interview {
	f.Problems = nil
	iv := &storage.Interview{
		ID: f.ID, Title: strings.TrimSpace(f.InterviewTitle), Welcome: cleanText(f.Welcome), Privacy: cleanText(f.Privacy),
		Fields: f.askedFields(), Stages: parseStages(f.Stages), Deadline: f.deadline(), RetentionDays: f.retention(),
	}
	if iv.Privacy == storage.DefaultPrivacy {
		iv.Privacy = "" // follow the default
	}
	for i, row := range f.Questions {
		iv.Questions = append(iv.Questions, f.question(i, row))
	}
	var ve *storage.ValidationError
	if err := iv.Validate(); errors.As(err, &ve) {
		for k, msg := range ve.Fields {
			f.problem(k, msg)
		}
	}
	return iv
}

// askedFields returns the fields ticked "ask"; an empty list (never nil) when none.
func (f *interviewForm) askedFields() []storage.Field {
	out := []storage.Field{}
	for _, row := range f.Fields {
		if row.Ask {
			out = append(out, storage.Field{Name: row.Name, Label: row.Label, Kind: row.Kind, Required: row.Required})
		}
	}
	return out
}

// cleanText trims a text and gives it Unix line ends.
func cleanText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// parseStages reads one stage per line, skipping blank lines; none means the defaults.
func parseStages(s string) []string {
	var out []string
	for line := range strings.Lines(cleanText(s)) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// deadlineLayouts are what browsers send from <input type="datetime-local">.
var deadlineLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

func (f *interviewForm) deadline() time.Time {
	v := strings.TrimSpace(f.Deadline)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range deadlineLayouts {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t
		}
	}
	f.problem("deadline", "Enter a date and time in UTC, such as 2030-01-31T17:00, or leave it empty for no deadline.")
	return time.Time{}
}

func (f *interviewForm) retention() int {
	v := strings.TrimSpace(f.Retention)
	if v == "" {
		return 0
	}
	n, ok := wholeNumber(v)
	if !ok || n < 1 {
		f.problem("retentionDays", fmt.Sprintf("Enter a number of days from 1 to %d, or leave it empty "+
			"to keep answers until you delete them.", storage.MaxRetentionDays))
		return 0
	}
	return n
}

// question returns the question of row i, noting what cannot be read.
func (f *interviewForm) question(i int, row questionRow) storage.Question {
	q := storage.Question{ID: row.ID, Text: cleanText(row.Text), Optional: !row.Required}
	q.TimeLimit = f.timeLimit(i, row)
	if n, ok := wholeNumber(row.Prep); ok {
		q.PrepTime = time.Duration(n) * time.Second
	} else {
		f.problem(storage.QuestionKey(i, "prepTime"), "Enter a whole number of seconds, or 0 for no preparation time.")
	}
	switch n, ok := wholeNumber(row.Retakes); {
	case ok && strings.TrimSpace(row.Retakes) == "":
		q.RetakeLimit = 0 // unlimited
	case ok && n == 0:
		q.RetakeLimit = storage.NoRetakes
	case ok && n > 0:
		q.RetakeLimit = n
	default:
		f.problem(storage.QuestionKey(i, "retakeLimit"), fmt.Sprintf("Enter a number of retakes from 0 to %d, "+
			"or leave it empty for unlimited retakes.", storage.MaxRetakeLimit))
	}
	return q
}

func (f *interviewForm) timeLimit(i int, row questionRow) time.Duration {
	if row.NoLimit {
		return 0
	}
	m, okM := wholeNumber(row.Minutes)
	sec, okS := wholeNumber(row.Seconds)
	d := time.Duration(m)*time.Minute + time.Duration(sec)*time.Second
	switch {
	case !okM || !okS || m < 0 || sec < 0 || sec > 59:
		f.problem(storage.QuestionKey(i, "timeLimit"), "Enter whole minutes, and seconds from 0 to 59, such as 3 and 00.")
	case d == 0:
		f.problem(storage.QuestionKey(i, "timeLimit"), "Enter a time limit of at least 10 seconds, or tick “No time limit”.")
	}
	return d
}

// maxTyped bounds the numbers read from the form, so that none overflows a Duration.
const maxTyped = 1_000_000

// wholeNumber reads an integer of at most maxTyped either way; "" is 0.
func wholeNumber(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= -maxTyped && n <= maxTyped
}

// The form's view: what its template calls.

// Action is where the form posts.
func (f *interviewForm) Action() string {
	if f.ID == "" {
		return "/admin/interviews/new"
	}
	return "/admin/interviews/" + f.ID + "/edit"
}

// Cancel is where "Cancel" goes: the interview's page, or the dashboard for a new one.
func (f *interviewForm) Cancel() string {
	if f.ID == "" {
		return "/admin/"
	}
	return "/admin/interviews/" + f.ID
}

// P returns what is wrong with the field of key, or "".
func (f *interviewForm) P(key string) string { return f.Problems[key] }

// QP returns what is wrong with field of question i ("" for the question as a whole), or "".
func (f *interviewForm) QP(i int, field string) string {
	if field == "" {
		return f.Problems[fmt.Sprintf("questions.%d", i)]
	}
	return f.Problems[storage.QuestionKey(i, field)]
}

// DefaultPrivacy is the policy used when the interview has none of its own.
func (f *interviewForm) DefaultPrivacy() string { return storage.DefaultPrivacy }

// Now is the time now, to show next to the deadline in UTC.
func (f *interviewForm) Now() time.Time { return time.Now() }

// Full reports whether no more questions can be added.
func (f *interviewForm) Full() bool { return len(f.Questions) >= storage.MaxQuestions }

// problemLink is one line of the summary of problems at the top of the form.
type problemLink struct {
	Anchor, Text string
}

// topProblems are the form's own fields in page order, with the names the summary gives them.
var topProblems = []struct{ key, name string }{
	{"title", "Title"}, {"welcome", "Welcome text"}, {"privacy", "Privacy policy"}, {"fields", "Personal details"},
	{"deadline", "Deadline"}, {"retentionDays", "Keep answers"}, {"stages", "Review stages"}, {"questions", "Questions"},
}

// questionProblems are a question's fields in page order ("" is the question as a whole).
var questionProblems = []struct{ field, name string }{
	{"", ""}, {"text", "text"}, {"timeLimit", "time limit"}, {"prepTime", "preparation time"}, {"retakeLimit", "retakes"},
}

// Summary lists every problem in page order, each linking to its field.
func (f *interviewForm) Summary() []problemLink {
	var out []problemLink
	for _, p := range topProblems {
		if msg := f.P(p.key); msg != "" {
			out = append(out, problemLink{Anchor: p.key, Text: p.name + ": " + msg})
		}
	}
	for i := range f.Questions {
		for _, p := range questionProblems {
			if msg := f.QP(i, p.field); msg != "" {
				out = append(out, problemLink{Anchor: questionAnchor(i, p.field), Text: questionName(i, p.name) + msg})
			}
		}
	}
	return out
}

func questionAnchor(i int, field string) string {
	if field == "" {
		return fmt.Sprintf("q-%d", i)
	}
	return fmt.Sprintf("q-%d-%s", i, field)
}

func questionName(i int, field string) string {
	if field == "" {
		return fmt.Sprintf("Question %d: ", i+1)
	}
	return fmt.Sprintf("Question %d, %s: ", i+1, field)
}

// Prev is the index of the question above, where "Move up" puts this one.
func (q questionRow) Prev() int { return q.Index - 1 }

// Next is the index of the question below, where "Move down" puts this one.
func (q questionRow) Next() int { return q.Index + 1 }
