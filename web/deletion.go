package web

import "net/http"

// deletionStore is what this file's handlers need of the record store.
type deletionStore interface{}

func (s *Server) deletionRoutes(mux *http.ServeMux) {}
