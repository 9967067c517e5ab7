package web

import "net/http"

// invitationStore is what this file's handlers need of the record store.
type invitationStore interface{}

func (s *Server) invitationRoutes(mux *http.ServeMux) {}
