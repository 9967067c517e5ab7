package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// answersView is the data of the "review-answers" partial
// (templates/partials/answers.html): a submitted candidate's answers, each with
// its take, and the reviewers' ratings and comments. The partial needs
// /static/review.css and the module /static/review.js on its page.
type answersView struct {
	// ReadOnly leaves out every form: rating, commenting, deleting a comment.
	ReadOnly bool
	// ShowReviews shows the reviewers' ratings and comments.
	ShowReviews bool
	CSRF        string // for the forms
	Candidate   string // the invitation ID, for the forms' actions
	Answers     []reviewAnswer
}

// reviewAnswer is one question and the candidate's answer to it.
type reviewAnswer struct {
	Index    int // 1-based, in interview order
	Question storage.Question
	Take     *storage.Take // the submitted take; nil when the question was not answered
	// MediaURL plays the take; DownloadURL downloads it ("" for no download link).
	MediaURL, DownloadURL string
	Quality               string
	// QualityDetail is the recording-quality line: losses, repairs, keyframe requests, sync.
	QualityDetail string
	Ratings       []reviewRatingView
	Comments      []reviewCommentView
	Average       float64
	MyStars       int    // the viewer's own rating, 0 for none
	Draft         string // comment text to put back in the form after an error
}

// Anchor is the element ID of the answer on the page.
func (a reviewAnswer) Anchor() string { return "answer-" + a.Question.ID }

// RatingSummary says the answer's average rating.
func (a reviewAnswer) RatingSummary() string {
	if len(a.Ratings) == 0 {
		return "Not rated yet."
	}
	return fmt.Sprintf("Average %.1f of 5 from %s.", a.Average, reviewPlural(len(a.Ratings), "rating", "ratings"))
}

// reviewRatingView is one reviewer's rating of an answer.
type reviewRatingView struct {
	Who   string
	Stars int
	Mine  bool
}

// Glyphs draws the rating as five stars, filled up to Stars.
func (r reviewRatingView) Glyphs() string {
	return strings.Repeat("★", r.Stars) + strings.Repeat("☆", storage.MaxStars-r.Stars)
}

// Label says the rating in words.
func (r reviewRatingView) Label() string {
	return fmt.Sprintf("%d of %d stars", r.Stars, storage.MaxStars)
}

// reviewCommentView is one comment on an answer.
type reviewCommentView struct {
	ID, Who, Text string
	At            time.Time
	Mine          bool
}

// answersView builds the data of the "review-answers" partial for a submitted
// candidate inv of interview iv. mediaURL(q) is where the take of question q
// plays; its download link is the same URL with ?download=1. With readOnly
// false, the request's signed-in user gets the forms to rate and comment; with
// readOnly true (a share link) there are no forms and ShowReviews is false, which
// the caller may set to show the reviewers' ratings and comments read-only.
// Only submitted takes are ever shown.
func (s *Server) answersView(r *http.Request, inv *storage.Invitation, iv *storage.Interview,
	mediaURL func(q string) string, readOnly bool) (answersView, error) {
	takes, err := s.store.CurrentTakes(inv.ID)
	if err != nil {
		return answersView{}, err
	}
	reviews, err := s.store.Reviews(inv.ID)
	if err != nil {
		return answersView{}, err
	}
	names, err := s.reviewAccountNames()
	if err != nil {
		return answersView{}, err
	}
	v := answersView{ReadOnly: readOnly, ShowReviews: !readOnly, Candidate: inv.ID}
	me := ""
	if a := sessionFrom(r); a != nil && !readOnly {
		v.CSRF, me = a.session.CSRFToken, a.user.ID
	}
	for i, q := range iv.Questions {
		a := reviewAnswer{Index: i + 1, Question: q}
		if t, ok := takes[q.ID]; ok && t.State == storage.TakeSubmitted {
			a.Take, a.Quality, a.QualityDetail = &t, reviewQuality(&t), qualityDetail(t.Quality)
			a.MediaURL = mediaURL(q.ID)
			a.DownloadURL = a.MediaURL + "?download=1"
		}
		a.addReviews(reviews[q.ID], names, me)
		v.Answers = append(v.Answers, a)
	}
	return v, nil
}

// addReviews fills in the ratings and comments of the answer; me is the viewer's user ID.
func (a *reviewAnswer) addReviews(rv storage.AnswerReviews, names map[string]string, me string) {
	a.Average, _ = rv.Average()
	for _, r := range rv.Ratings {
		a.Ratings = append(a.Ratings, reviewRatingView{Who: reviewNameOf(names, r.UserID), Stars: r.Stars, Mine: r.UserID == me})
		if r.UserID == me {
			a.MyStars = r.Stars
		}
	}
	for _, c := range rv.Comments {
		a.Comments = append(a.Comments, reviewCommentView{ID: c.ID, Who: reviewNameOf(names, c.UserID), Text: c.Text,
			At: c.At, Mine: c.UserID == me})
	}
}

// reviewAccountNames returns the display name of every account, by user ID.
func (s *Server) reviewAccountNames() (map[string]string, error) {
	users, err := s.store.Users()
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(users))
	for i := range users {
		names[users[i].ID] = users[i].DisplayName()
	}
	return names, nil
}

func reviewNameOf(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return "A former reviewer"
}

// qualityDetail is the take's recording-quality line, e.g. "Recording quality:
// 2 packets lost, 41 recovered (resent or reordered) · 1 frame dropped · 3 keyframe
// requests · sound starts 6 ms after the picture". "" when the take has no record.
func qualityDetail(q *storage.Quality) string {
	if q == nil {
		return ""
	}
	plural := func(n uint64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	parts := []string{plural(q.PacketsLost, "packet lost", "packets lost") + ", " +
		fmt.Sprintf("%d recovered (resent or reordered)", q.PacketsRecovered)}
	parts = append(parts, plural(q.FramesDropped, "frame dropped", "frames dropped"),
		plural(q.KeyframeRequests, "keyframe request", "keyframe requests"))
	if q.AudioFrames > 0 {
		parts = append(parts, fmt.Sprintf("sound starts %d ms after the picture", q.AudioStartMs))
	} else {
		parts = append(parts, "no sound")
	}
	return "Recording quality: " + strings.Join(parts, " · ")
}

// reviewQuality tells the recruiter how long a take is and how its recording went,
// e.g. "1:32 · recorded in full" or "0:41 · connection dropped: what arrived is kept · frames lost: 3".
func reviewQuality(t *storage.Take) string {
	parts := []string{formatMillis(t.DurationMs)}
	switch t.End {
	case storage.EndStop:
		parts = append(parts, "recorded in full")
	case storage.EndLimit:
		parts = append(parts, "stopped at the time limit")
	case storage.EndCut:
		parts = append(parts, "connection dropped: what arrived is kept")
	case storage.EndInterrupted:
		parts = append(parts, "the server stopped while recording: what was saved is kept")
	}
	if q := t.Quality; q != nil && q.FramesDropped > 0 {
		parts = append(parts, fmt.Sprintf("frames lost: %d", q.FramesDropped))
	}
	return strings.Join(parts, " · ")
}
