package web

import "net/http"

// shareStore is what this file's handlers need of the record store.
type shareStore interface{}

func (s *Server) shareRoutes(mux *http.ServeMux) {}
