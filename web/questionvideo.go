package web

import "net/http"

func (s *Server) questionVideoRoutes(mux *http.ServeMux) {}
