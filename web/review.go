package web

import "net/http"

// reviewStore is what this file's handlers need of the record store.
type reviewStore interface{}

func (s *Server) reviewRoutes(mux *http.ServeMux) {}
