package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/takes/takes/signaling"
	"github.com/takes/takes/storage"
)

// The recruiter records a question's video on its own page, through the same
// WebRTC recorder as candidates: the page's socket is Server.recorder
// (signaling.QuestionRecorder), which saves the file and marks the question.

func (s *Server) questionVideoRoutes(mux *http.ServeMux) {
	const base = "/admin/interviews/{id}/questions/{q}/video"
	mux.Handle("GET "+base, s.requireUser(s.questionVideoPage, storage.RoleAdmin))
	mux.Handle("GET "+base+"/file", s.requireUser(s.questionVideoFile, storage.RoleAdmin, storage.RoleReviewer))
	mux.Handle("GET "+base+"/ws", s.requireUser(s.questionVideoSocket, storage.RoleAdmin))
}

// questionVideoView is the data of the recording page.
type questionVideoView struct {
	page
	Interview *storage.Interview
	Question  storage.Question
	Number    int    // the question's place in the interview, from 1
	Limit     string // the longest a video question can be, e.g. "5 min"
}

// EditURL is the interview's edit page, where the recruiter came from.
func (v questionVideoView) EditURL() string { return "/admin/interviews/" + v.Interview.ID + "/edit" }

// FileURL plays the question's saved video.
func (v questionVideoView) FileURL() string {
	return signaling.QuestionVideoFileURL(v.Interview.ID, v.Question.ID)
}

// SocketPath is the recording socket's path.
func (v questionVideoView) SocketPath() string {
	return "/admin/interviews/" + v.Interview.ID + "/questions/" + v.Question.ID + "/video/ws"
}

// questionVideoPage shows the question, the camera check, the recorder and the saved video.
func (s *Server) questionVideoPage(w http.ResponseWriter, r *http.Request) {
	iv, q, n, ok := s.videoQuestion(w, r)
	if !ok {
		return
	}
	s.render(w, http.StatusOK, "questionvideo", questionVideoView{
		page:      s.pageFor(r, "Video for question "+strconv.Itoa(n)),
		Interview: iv, Question: q, Number: n, Limit: formatDuration(signaling.QuestionVideoLimit),
	})
}

// questionVideoFile plays the question's video to recruiters, with Range support.
func (s *Server) questionVideoFile(w http.ResponseWriter, r *http.Request) {
	iv, q, _, ok := s.videoQuestion(w, r)
	if !ok {
		return
	}
	f, err := s.media.OpenQuestionVideo(iv.ID, q.ID)
	if !q.Video || errors.Is(err, storage.ErrNotFound) {
		if f != nil {
			f.Close()
		}
		s.showMessage(w, r, http.StatusNotFound, "No video", "This question has no video yet. Record one on the question's video page.")
		return
	}
	if err != nil {
		s.serverError(w, r, "open video question", err)
		return
	}
	s.serveWebM(w, r, f, "question "+q.ID)
}

// questionVideoSocket hands the recording socket to the recorder. Upgrades are GET
// requests, which the CSRF check lets through: the Origin must be our own.
func (s *Server) questionVideoSocket(w http.ResponseWriter, r *http.Request) {
	if !s.socketFromUs(r) {
		s.log.Warn("refused a recording socket from another origin", slog.String("origin", r.Header.Get("Origin")),
			slog.String("user", userFrom(r).ID))
		s.forbidden(w, r, "Recording can only be started from this server's own page. Reload the page and try again.")
		return
	}
	if s.recorder == nil {
		http.Error(w, "This server cannot record video questions.", http.StatusServiceUnavailable)
		return
	}
	s.recorder.ServeHTTP(w, r)
}

// socketFromUs reports whether a WebSocket upgrade came from a page of this server:
// its Origin is the host the request was sent to, or the public URL's origin.
func (s *Server) socketFromUs(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	u, err := url.Parse(origin)
	if origin == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	pub, err := url.Parse(s.auth.PublicURL)
	return s.auth.PublicURL != "" && err == nil && strings.EqualFold(origin, pub.Scheme+"://"+pub.Host)
}

// videoQuestion returns the interview and question of the path, and the question's
// number; when there is none it answers 404 and reports false.
func (s *Server) videoQuestion(w http.ResponseWriter, r *http.Request) (*storage.Interview, storage.Question, int, bool) {
	id, qid := r.PathValue("id"), r.PathValue("q")
	if storage.ValidID(id) && storage.ValidID(qid) {
		iv, err := s.store.Interview(id)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			s.serverError(w, r, "load interview", err)
			return nil, storage.Question{}, 0, false
		}
		for i, q := range interviewQuestions(iv) {
			if q.ID == qid {
				return iv, q, i + 1, true
			}
		}
	}
	s.showMessage(w, r, http.StatusNotFound, "Not found",
		"There is no such question. It may have been removed from the interview: go back to the interview to see its questions.")
	return nil, storage.Question{}, 0, false
}

func interviewQuestions(iv *storage.Interview) []storage.Question {
	if iv == nil {
		return nil
	}
	return iv.Questions
}
