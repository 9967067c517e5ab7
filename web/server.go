package web

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/takes/takes/storage"
)

// Store is what the web server needs of the record store. Each area of the
// recruiters' side names what it needs in its own file.
type Store interface {
	interviewStore  // interviews.go
	invitationStore // invitations.go
	reviewStore     // review.go
	shareStore      // sharing.go
	deletionStore   // deletion.go
	apiStore        // api.go

	Audit(e storage.AuditEntry) error
	AuditLog(f storage.AuditFilter) ([]storage.AuditEntry, error)

	InvitationByToken(token string) (*storage.Invitation, error)
	Interview(id string) (*storage.Interview, error)
	Take(k storage.TakeKey) (storage.Take, error)
	Interviews() ([]storage.Interview, error)

	// Recruiters' accounts and sessions.
	CreateUser(u *storage.User) error
	User(id string) (*storage.User, error)
	UserByEmail(email string) (*storage.User, error)
	Users() ([]storage.User, error)
	SetPassword(id string, hash []byte, mustChange bool) error
	RecordLogin(id string) error
	CreateSession(userID string, ttl time.Duration) (string, storage.Session, error)
	SessionByToken(token string) (storage.Session, error)
	DeleteSession(token string) error
	DeleteUserSessions(userID string) error
}

// Handlers are the WebSocket endpoints the web server mounts.
type Handlers struct {
	// Candidate serves GET /ws/{token}.
	Candidate http.Handler
	// QuestionRecorder serves a recruiter's recording of a video question; the
	// server mounts it behind the recruiter's sign-in (see questionvideo.go).
	QuestionRecorder http.Handler
	// EndCandidate, when set, ends a candidate's live connection (saving its take
	// in progress) and returns once it has ended: before their link is revoked
	// takes effect, and before they are deleted.
	EndCandidate func(invitationID string)
}

// Server serves the pages, the media and the candidate's WebSocket, and the
// recruiters' pages behind their sign-in.
type Server struct {
	store    Store
	media    storage.Media
	ws       http.Handler
	recorder http.Handler // see Handlers.QuestionRecorder
	endConn  func(invitationID string)
	log      *slog.Logger
	assets   fs.FS

	auth        AuthConfig
	pages       map[string]*template.Template
	logins      *limiter // failed sign-ins
	crossOrigin *http.CrossOriginProtection

	dummyOnce sync.Once
	dummy     []byte // see dummyHash
}

// NewServer returns the server.
func NewServer(store Store, media storage.Media, hs Handlers, log *slog.Logger, auth AuthConfig) (*Server, error) {
	auth, err := checkAuthConfig(auth)
	if err != nil {
		return nil, err
	}
	co, err := newCrossOrigin(auth.PublicURL)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Server{
		store: store, media: media, ws: hs.Candidate, recorder: hs.QuestionRecorder, endConn: hs.EndCandidate, log: log, assets: Assets(),
		auth: auth, pages: pages, crossOrigin: co,
		logins: newLimiter(loginFailures, loginWindow, limiterSize),
	}, nil
}

// Handler returns the HTTP handler with every route.
func (s *Server) Handler() http.Handler {
	return s.routes()
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("Takes is running. Candidates open the link in their invitation.\n"))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte("ok\n"))
}

func (s *Server) static() http.Handler {
	fsrv := http.FileServerFS(s.assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		fsrv.ServeHTTP(w, r)
	})
}

// candidatePage serves the recording page for a known invitation, and a short
// page that says so for a withdrawn one.
func (s *Server) candidatePage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.invitation(r.PathValue("token")); errors.Is(err, errLinkWithdrawn) {
		s.withdrawnPage(w)
		return
	} else if err != nil {
		s.notFound(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.ServeFileFS(w, r, s.assets, "candidate.html")
}

// candidateMedia plays back one of the candidate's own takes, with Range support.
func (s *Server) candidateMedia(w http.ResponseWriter, r *http.Request) {
	inv, err := s.invitation(r.PathValue("token"))
	if err != nil {
		s.notFound(w, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("take"))
	if err != nil || n <= 0 || !storage.ValidID(r.PathValue("question")) {
		http.NotFound(w, r)
		return
	}
	k := storage.TakeKey{Interview: inv.InterviewID, Invitation: inv.ID, Question: r.PathValue("question"), N: n}
	t, err := s.store.Take(k)
	if err != nil || (t.State != storage.TakeDraft && t.State != storage.TakeSubmitted) {
		s.notFound(w, err)
		return
	}
	s.serveTake(w, r, k)
}

// questionVideo plays a recruiter's video question, once the candidate may see the questions.
func (s *Server) questionVideo(w http.ResponseWriter, r *http.Request) {
	inv, err := s.invitation(r.PathValue("token"))
	if err != nil {
		s.notFound(w, err)
		return
	}
	if st := inv.Stage(); st != storage.StageQuestions && st != storage.StageSubmitted {
		s.notFound(w, nil)
		return
	}
	iv, err := s.store.Interview(inv.InterviewID)
	if err != nil {
		s.notFound(w, err)
		return
	}
	q, ok := iv.Question(r.PathValue("question"))
	if !ok || !q.Video {
		s.notFound(w, nil)
		return
	}
	f, err := s.media.OpenQuestionVideo(iv.ID, q.ID)
	if err != nil {
		s.notFound(w, err)
		return
	}
	s.serveWebM(w, r, f, "question "+q.ID)
}

func (s *Server) serveTake(w http.ResponseWriter, r *http.Request, k storage.TakeKey) {
	f, err := s.media.Open(k)
	if err != nil {
		s.notFound(w, err)
		return
	}
	s.serveWebM(w, r, f, "take "+k.String())
}

// serveWebM serves a media file with Range support, so the browser can seek, and closes it.
func (s *Server) serveWebM(w http.ResponseWriter, r *http.Request, f storage.MediaFile, what string) {
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.log.Error("stat media", slog.String("file", what), slog.Any("err", err))
		http.Error(w, "cannot read this recording", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "video/webm")
	w.Header().Set("Cache-Control", "private, no-cache")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// endCandidate ends the candidate's live connection, if there is one.
func (s *Server) endCandidate(invitationID string) {
	if s.endConn != nil {
		s.endConn(invitationID)
	}
}

// audit writes an entry of the audit log for the signed-in user of r (or the
// actor already set in e). A failure to write it is logged, not shown.
func (s *Server) audit(r *http.Request, e storage.AuditEntry) {
	if e.Actor == "" {
		if u := userFrom(r); u != nil {
			e.Actor = u.Email
		}
	}
	if err := s.store.Audit(e); err != nil {
		s.log.Error("audit", slog.String("action", e.Action), slog.Any("err", err))
	}
}

// errLinkWithdrawn is the lookup of a withdrawn invitation: to everything but the
// page itself, it is not found.
var errLinkWithdrawn = fmt.Errorf("web: the invitation link was withdrawn: %w", storage.ErrNotFound)

// invitation returns the invitation of a candidate's token; a withdrawn one is errLinkWithdrawn.
func (s *Server) invitation(token string) (*storage.Invitation, error) {
	if !storage.ValidToken(token) {
		return nil, storage.ErrNotFound
	}
	inv, err := s.store.InvitationByToken(token)
	if err != nil {
		return nil, err
	}
	if inv.Revoked() {
		return nil, errLinkWithdrawn
	}
	return inv, nil
}

// withdrawnPage answers 410 Gone with a short page for the candidate of a withdrawn link.
func (s *Server) withdrawnPage(w http.ResponseWriter) {
	page, err := fs.ReadFile(s.assets, "withdrawn.html")
	if err != nil {
		s.log.Error("reading withdrawn.html", slog.Any("err", err))
		page = []byte(withdrawnText)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusGone)
	w.Write(page)
}

// withdrawnText is what the page of a withdrawn link says.
const withdrawnText = "This interview link was withdrawn. If you think this is a mistake, contact the person who invited you.\n"

func (s *Server) notFound(w http.ResponseWriter, err error) {
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		s.log.Error("lookup", slog.Any("err", err))
	}
	http.Error(w, "not found: check the link in your invitation", http.StatusNotFound)
}

// securityHeaders sets headers every response gets. The page runs no inline script,
// talks only to its own origin, and never leaks its secret URL as a referrer.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob:; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(self), microphone=(self)")
		next.ServeHTTP(w, r)
	})
}
