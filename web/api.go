package web

import "net/http"

// apiStore is what this file's handlers need of the record store.
type apiStore interface{}

func (s *Server) apiRoutes(mux *http.ServeMux) {}
