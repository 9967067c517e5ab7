package storage

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func validInterview() Interview {
	return Interview{
		Title:     "Backend engineer",
		Questions: []Question{{Text: "Why us?", TimeLimit: DefaultTimeLimit}},
	}
}

func TestValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		edit func(iv *Interview)
		key  string // "" when valid
	}{
		{"valid", func(iv *Interview) {}, ""},
		{"limits at their edges", func(iv *Interview) {
			iv.Title, iv.RetentionDays, iv.Stages = long(200), 3650, []string{long(40)}
			iv.Questions[0] = Question{Text: long(2000), TimeLimit: time.Hour, PrepTime: 10 * time.Minute, RetakeLimit: 20}
		}, ""},
		{"no title", func(iv *Interview) { iv.Title = "  " }, "title"},
		{"long title", func(iv *Interview) { iv.Title = long(201) }, "title"},
		{"long welcome", func(iv *Interview) { iv.Welcome = long(MaxWelcomeChars + 1) }, "welcome"},
		{"no question", func(iv *Interview) { iv.Questions = nil }, "questions"},
		{"empty question", func(iv *Interview) { iv.Questions[0].Text = "" }, "questions.0.text"},
		{"long question", func(iv *Interview) { iv.Questions[0].Text = long(2001) }, "questions.0.text"},
		{"time limit too short", func(iv *Interview) { iv.Questions[0].TimeLimit = 9 * time.Second }, "questions.0.timeLimit"},
		{"time limit too long", func(iv *Interview) { iv.Questions[0].TimeLimit = 61 * time.Minute }, "questions.0.timeLimit"},
		{"prep time too long", func(iv *Interview) { iv.Questions[0].PrepTime = 11 * time.Minute }, "questions.0.prepTime"},
		{"negative prep time", func(iv *Interview) { iv.Questions[0].PrepTime = -time.Second }, "questions.0.prepTime"},
		{"too many retakes", func(iv *Interview) { iv.Questions[0].RetakeLimit = 21 }, "questions.0.retakeLimit"},
		{"retention too long", func(iv *Interview) { iv.RetentionDays = 3651 }, "retentionDays"},
		{"negative retention", func(iv *Interview) { iv.RetentionDays = -1 }, "retentionDays"},
		{"too many stages", func(iv *Interview) {
			iv.Stages = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}
		}, "stages"},
		{"empty stage", func(iv *Interview) { iv.Stages = []string{"new", ""} }, "stages"},
		{"stage twice", func(iv *Interview) { iv.Stages = []string{"New", "new"} }, "stages"},
		{"long stage", func(iv *Interview) { iv.Stages = []string{long(41)} }, "stages"},
		{"no field asked", func(iv *Interview) { iv.Fields = []Field{} }, "fields"},
		{"field twice", func(iv *Interview) {
			iv.Fields = []Field{{Name: "city", Label: "City", Kind: FieldText}, {Name: "city", Label: "Town", Kind: FieldText}}
		}, "fields"},
		{"unknown field kind", func(iv *Interview) { iv.Fields = []Field{{Name: "x", Label: "X", Kind: "date"}} }, "fields"},
		{"second question's text", func(iv *Interview) { iv.Questions = append(iv.Questions, Question{}) }, "questions.1.text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv := validInterview()
			tt.edit(&iv)
			err := iv.Validate()
			if tt.key == "" {
				if err != nil {
					t.Fatalf("valid interview refused: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			if ve.Fields[tt.key] == "" || len(ve.Fields) != 1 {
				t.Fatalf("problems %v, want one for %q", ve.Fields, tt.key)
			}
		})
	}
}

func TestUpdateInterview(t *testing.T) {
	db := openEmpty(t)
	created := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	iv := &Interview{Title: "Old", Questions: []Question{{Text: "one"}, {Text: "two"}},
		Webhook: &Webhook{URL: "https://ats.example.com/hook", Secret: "s"}, CreatedAt: created}
	if err := db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	q1, q2 := iv.Questions[0], iv.Questions[1]
	deadline := time.Date(2030, 1, 2, 15, 4, 0, 0, time.UTC)
	next := &Interview{
		ID: iv.ID, Title: "New", Welcome: "Hi", Privacy: "Ours", Deadline: deadline, RetentionDays: 30,
		Fields: []Field{{Name: "city", Label: "City", Kind: FieldText, Required: true}},
		Stages: []string{"new", "called"},
		Questions: []Question{
			{Text: "zero", TimeLimit: time.Minute},
			{ID: q2.ID, Text: "two, edited", PrepTime: 30 * time.Second, RetakeLimit: 2, Optional: true, Video: true},
			{ID: "not-ours", Text: "forged ID"},
		},
		CreatedAt: time.Now(), // ignored
	}
	if err := db.UpdateInterview(next); err != nil {
		t.Fatal(err)
	}
	got, err := db.Interview(iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "New" || got.Welcome != "Hi" || got.Privacy != "Ours" || !got.Deadline.Equal(deadline) ||
		got.RetentionDays != 30 || !slices.Equal(got.Stages, []string{"new", "called"}) ||
		len(got.Fields) != 1 || got.Fields[0].Name != "city" || !got.Fields[0].Required {
		t.Fatalf("stored %+v", got)
	}
	if !got.CreatedAt.Equal(created) || got.Webhook == nil || got.Webhook.URL != iv.Webhook.URL || got.UpdatedAt.IsZero() {
		t.Fatalf("kept fields changed: created %v webhook %+v updated %v", got.CreatedAt, got.Webhook, got.UpdatedAt)
	}
	qs := got.Questions
	if len(qs) != 3 || qs[0].ID == "" || qs[0].ID == q1.ID || qs[1].ID != q2.ID || qs[2].ID == "not-ours" || !ValidID(qs[2].ID) {
		t.Fatalf("question IDs: %+v (had %s, %s)", qs, q1.ID, q2.ID)
	}
	if qs[1].Text != "two, edited" || qs[1].PrepTime != 30*time.Second || qs[1].RetakeLimit != 2 || !qs[1].Optional {
		t.Fatalf("edited question: %+v", qs[1])
	}
	if qs[1].Video {
		t.Fatal("an update set the Video flag, which only a recording sets")
	}
	if next.UpdatedAt.IsZero() || next.Questions[0].ID != qs[0].ID {
		t.Fatalf("the argument does not hold what was stored: %+v", next)
	}
}

func TestUpdateInterviewKeepsVideo(t *testing.T) {
	db := openEmpty(t)
	iv := &Interview{Title: "T", Questions: []Question{{Text: "one", Video: true}}}
	if err := db.CreateInterview(iv); err != nil {
		t.Fatal(err)
	}
	iv.Questions[0].Video = false
	iv.Questions[0].Text = "one, edited"
	if err := db.UpdateInterview(iv); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Interview(iv.ID)
	if !got.Questions[0].Video || got.Questions[0].Text != "one, edited" {
		t.Fatalf("question %+v: the video question was lost", got.Questions[0])
	}
}

func TestUpdateInterviewRefuses(t *testing.T) {
	db, inv, iv := openTest(t)
	t.Run("unknown interview", func(t *testing.T) {
		err := db.UpdateInterview(&Interview{ID: "missing", Title: "T", Questions: []Question{{Text: "q"}}})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		bad := *iv
		bad.Title = ""
		var ve *ValidationError
		if err := db.UpdateInterview(&bad); !errors.As(err, &ve) || ve.Fields["title"] == "" {
			t.Fatalf("got %v, want a title problem", err)
		}
		if got, _ := db.Interview(iv.ID); got.Title != iv.Title {
			t.Fatalf("invalid update stored: %q", got.Title)
		}
	})

	answered := iv.Questions[0]
	take, err := db.BeginTake(inv, answered.ID)
	if err != nil {
		t.Fatal(err)
	}
	drop := func() error {
		next := *iv
		next.Questions = []Question{iv.Questions[1]}
		return db.UpdateInterview(&next)
	}
	t.Run("answered question", func(t *testing.T) {
		err := drop()
		var qe *QuestionAnsweredError
		if !errors.Is(err, ErrQuestionAnswered) || !errors.As(err, &qe) || qe.Text != answered.Text || qe.ID != answered.ID {
			t.Fatalf("got %v, want a QuestionAnsweredError for %q", err, answered.Text)
		}
		if got, _ := db.Interview(iv.ID); len(got.Questions) != 2 {
			t.Fatalf("the question was dropped: %+v", got.Questions)
		}
		got, err := db.AnsweredQuestions(iv.ID)
		if err != nil || !got[answered.ID] || got[iv.Questions[1].ID] {
			t.Fatalf("answered questions %v %v", got, err)
		}
	})
	t.Run("removed take", func(t *testing.T) {
		if _, err := db.FinishTake(take.TakeKey, Finish{DurationMs: 1000}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RemoveTake(inv, answered.ID); err != nil {
			t.Fatal(err)
		}
		if err := drop(); err != nil {
			t.Fatalf("a question whose only take was removed cannot be dropped: %v", err)
		}
	})
}

func TestInvitationCounts(t *testing.T) {
	db := openEmpty(t)
	a := &Interview{Title: "A", Questions: []Question{{Text: "q", Optional: true}}}
	b := &Interview{Title: "B", Questions: []Question{{Text: "q"}}}
	for _, iv := range []*Interview{a, b} {
		if err := db.CreateInterview(iv); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if err := db.CreateInvitation(&Invitation{InterviewID: a.ID}); err != nil {
			t.Fatal(err)
		}
	}
	inv := &Invitation{InterviewID: a.ID}
	if err := db.CreateInvitation(inv); err != nil {
		t.Fatal(err)
	}
	db.AcceptPrivacy(inv.ID)
	db.SaveDetails(inv.ID, map[string]string{"name": "N", "email": "n@example.com"})
	if _, err := db.Submit(a, inv.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.InvitationCounts()
	if err != nil {
		t.Fatal(err)
	}
	if got[a.ID] != (InvitationCount{Invited: 4, Submitted: 1}) || got[b.ID] != (InvitationCount{}) {
		t.Fatalf("counts %+v", got)
	}
}
