package web

import (
	"net/http"

	"github.com/takes/takes/storage"
)

// routes lists every route of the server.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /static/", http.StripPrefix("/static/", s.static()))
	mux.HandleFunc("GET /i/{token}", s.candidatePage)
	mux.HandleFunc("GET /i/{token}/question/{question}/video", s.questionVideo)
	mux.Handle("GET /ws/{token}", s.ws)
	mux.HandleFunc("GET /media/{token}/{question}/{take}", s.candidateMedia)

	// The recruiters' side: sign-in, then pages for signed-in users only.
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.Handle("POST /logout", s.requireUser(s.logout))
	mux.Handle("GET /admin", http.RedirectHandler("/admin/", http.StatusMovedPermanently))
	mux.Handle("GET /admin/{$}", s.requireUser(s.dashboard))
	mux.Handle("GET /admin/password", s.requireUser(s.passwordPage))
	mux.Handle("POST /admin/password", s.requireUser(s.changePassword))
	mux.Handle("GET /admin/users", s.requireUser(s.users, storage.RoleAdmin))
	mux.Handle("POST /admin/users", s.requireUser(s.createUser, storage.RoleAdmin))

	// Each area of the recruiters' side adds its routes from its own file.
	s.interviewRoutes(mux)     // interviews.go
	s.invitationRoutes(mux)    // invitations.go
	s.questionVideoRoutes(mux) // questionvideo.go
	s.reviewRoutes(mux)        // review.go
	s.shareRoutes(mux)         // sharing.go
	s.deletionRoutes(mux)      // deletion.go
	s.apiRoutes(mux)           // api.go
	return securityHeaders(mux)
}
