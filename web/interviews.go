package web

import "net/http"

// interviewStore is what this file's handlers need of the record store.
type interviewStore interface{}

func (s *Server) interviewRoutes(mux *http.ServeMux) {}
