package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/takes/takes/storage"
)

// apiTokensData is the data of the API tokens page.
type apiTokensData struct {
	page
	Tokens  []storage.APIToken
	Form    apiTokenForm
	Created *apiCreatedToken // the token just made, whose secret is shown once
}

// apiTokenForm is what was typed in the form that makes a token.
type apiTokenForm struct {
	Name  string
	Admin bool
}

type apiCreatedToken struct {
	Name, Secret string
	Role         storage.Role
}

func (s *Server) apiTokenRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/tokens", s.requireUser(s.apiTokensPage, storage.RoleAdmin))
	mux.Handle("POST /admin/tokens", s.requireUser(s.apiCreateToken, storage.RoleAdmin))
	mux.Handle("POST /admin/tokens/{id}/revoke", s.requireUser(s.apiRevokeToken, storage.RoleAdmin))
}

// apiTokensPage lists the API tokens, with a form to make one.
func (s *Server) apiTokensPage(w http.ResponseWriter, r *http.Request) {
	s.showAPITokens(w, r, http.StatusOK, apiTokensData{page: s.pageFor(r, "API tokens")})
}

// apiCreateToken makes an API token and shows its secret, once.
func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	role := storage.Role(r.PostFormValue("role"))
	form := apiTokenForm{Name: strings.TrimSpace(r.PostFormValue("name")), Admin: role == storage.RoleAdmin}
	data := apiTokensData{page: s.pageFor(r, "API tokens"), Form: form}
	by := userFrom(r).Email
	secret, t, err := s.store.CreateAPIToken(form.Name, role, by)
	switch {
	case errors.Is(err, storage.ErrBadTokenName):
		data.Error = "Give the token a name of 1 to 100 characters that says who uses it, such as the name of your applicant tracking system."
		s.showAPITokens(w, r, http.StatusUnprocessableEntity, data)
	case errors.Is(err, storage.ErrBadRole):
		data.Error = "Choose what the token may do: read results (reviewer) or everything (admin)."
		s.showAPITokens(w, r, http.StatusUnprocessableEntity, data)
	case err != nil:
		s.serverError(w, r, "create API token", err)
	default:
		s.log.Info("API token created", slog.String("by", by), slog.String("token", t.ID), slog.String("role", string(t.Role)))
		s.audit(r, storage.AuditEntry{Action: "create API token", Detail: t.Name + " (" + string(t.Role) + ")"})
		data.Form, data.Created = apiTokenForm{}, &apiCreatedToken{Name: t.Name, Secret: secret, Role: t.Role}
		s.showAPITokens(w, r, http.StatusOK, data)
	}
}

// apiRevokeToken withdraws an API token at once.
func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !storage.ValidID(id) {
		s.showMessage(w, r, http.StatusNotFound, "No such token", "There is no API token with this ID. Go back to the API tokens page.")
		return
	}
	t, err := s.store.RevokeAPIToken(id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.showMessage(w, r, http.StatusNotFound, "No such token", "There is no API token with this ID. Go back to the API tokens page.")
		return
	case err != nil:
		s.serverError(w, r, "revoke API token", err)
		return
	}
	s.log.Info("API token revoked", slog.String("by", userFrom(r).Email), slog.String("token", t.ID))
	s.audit(r, storage.AuditEntry{Action: "revoke API token", Detail: t.Name})
	data := apiTokensData{page: s.pageFor(r, "API tokens")}
	data.Notice = "The token " + t.Name + " is revoked: requests with it are refused from now on."
	s.showAPITokens(w, r, http.StatusOK, data)
}

func (s *Server) showAPITokens(w http.ResponseWriter, r *http.Request, status int, data apiTokensData) {
	ts, err := s.store.APITokens()
	if err != nil {
		s.serverError(w, r, "list API tokens", err)
		return
	}
	data.Tokens = ts
	s.render(w, status, "tokens", data)
}
