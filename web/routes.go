package web

import "net/http"

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
	return securityHeaders(mux)
}
