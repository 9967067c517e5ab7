package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// The JSON API (docs/api.md) serves applicant tracking systems. It is reached
// with an API token in the Authorization header, never with a session cookie, so
// a browser cannot be tricked into calling it: it needs no CSRF token.

// apiStore is what this file's handlers need of the record store.
type apiStore interface {
	CreateAPIToken(name string, role storage.Role, createdBy string) (string, storage.APIToken, error)
	APITokenBySecret(secret string) (*storage.APIToken, error)
	APITokens() ([]storage.APIToken, error)
	RevokeAPIToken(id string) (*storage.APIToken, error)
	SetWebhook(interviewID string, wh *storage.Webhook) error

	CreateInterview(iv *storage.Interview) error
	Invitation(id string) (*storage.Invitation, error)
	Takes(invitationID string) ([]storage.Take, error)
	CurrentTakes(invitationID string) (map[string]storage.Take, error)

	// Of the other areas' storage: invitations, review and deletion.
	CreateInvitations(interviewID string, invs []storage.Invitation) ([]storage.Invitation, error)
	InvitationSummaries(interviewID string) ([]storage.InvitationSummary, error)
	RevokeInvitation(id string) (*storage.Invitation, error)
	SetInvitationDeadline(id string, t time.Time) (*storage.Invitation, error)
	Reviews(invitation string) (storage.Reviews, error)
	DeleteCandidate(invitationID string) (*storage.Invitation, error)
}

// maxAPIBody bounds a request body of the API.
const maxAPIBody = 1 << 20

const apiPrefix = "/api/v1"

func (s *Server) apiRoutes(mux *http.ServeMux) {
	reader := []storage.Role{storage.RoleAdmin, storage.RoleReviewer}
	admin := []storage.Role{storage.RoleAdmin}
	api := func(pattern string, h http.HandlerFunc, roles []storage.Role) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.Handle(method+" "+apiPrefix+path, s.requireToken(h, roles...))
	}
	api("GET /interviews", s.apiInterviews, reader)
	api("POST /interviews", s.apiCreateInterview, admin)
	api("GET /interviews/{id}", s.apiInterview, reader)
	api("GET /interviews/{id}/invitations", s.apiInvitations, reader)
	api("POST /interviews/{id}/invitations", s.apiInvite, admin)
	api("GET /invitations/{id}", s.apiInvitation, reader)
	api("POST /invitations/{id}/revoke", s.apiRevokeInvitation, admin)
	api("POST /invitations/{id}/deadline", s.apiSetDeadline, admin)
	api("DELETE /invitations/{id}", s.apiDeleteCandidate, admin)
	api("GET /invitations/{id}/results", s.apiResults, reader)
	api("GET /invitations/{id}/takes/{question}", s.apiTake, reader)
	mux.Handle(apiPrefix+"/", apiUnknown(mux))

	s.apiTokenRoutes(mux) // apitokens.go
	s.webhookRoutes(mux)  // webhook.go
}

func apiRoleNames(roles []storage.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, " or ")
}

type apiTokenCtxKey struct{}

// apiTokenFrom returns the API token requireToken put in the request.
func apiTokenFrom(r *http.Request) *storage.APIToken {
	t, _ := r.Context().Value(apiTokenCtxKey{}).(*storage.APIToken)
	return t
}

// requireToken lets through requests with the secret of a valid API token of one
// of roles in the header "Authorization: Bearer <secret>". Cookies are ignored.
func (s *Server) requireToken(next http.HandlerFunc, roles ...storage.Role) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		t, msg := s.apiTokenOf(r)
		if t == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="takes"`)
			apiError(w, http.StatusUnauthorized, msg, nil)
			return
		}
		if !slices.Contains(roles, t.Role) {
			apiError(w, http.StatusForbidden, fmt.Sprintf(
				"This is a %s token; only %s tokens can do this. An admin can make one on the API tokens page.",
				t.Role, apiRoleNames(roles)), nil)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), apiTokenCtxKey{}, t)))
	})
}

// apiTokenOf returns the request's valid API token, or nil and what is wrong.
func (s *Server) apiTokenOf(r *http.Request) (*storage.APIToken, string) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return nil, "Send an API token in the header \"Authorization: Bearer tk_…\". Admins make tokens on the API tokens page."
	}
	const bad = "This API token is not valid. Check that it was copied in full, or make a new one."
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, storage.APITokenPrefix) || !storage.ValidToken(secret[len(storage.APITokenPrefix):]) {
		return nil, bad
	}
	t, err := s.store.APITokenBySecret(secret)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, bad
	case err != nil:
		s.log.Error("look up API token", slog.Any("err", err))
		return nil, "The token could not be checked. Try again in a moment."
	case t.Revoked():
		return nil, "This API token was revoked. Ask an admin for a new one."
	}
	return t, ""
}

// apiErrorBody is the body of every error the API answers.
type apiErrorBody struct {
	Error string `json:"error"`
	// Fields says what is wrong with each named input, when the input was refused.
	Fields map[string]string `json:"fields,omitempty"`
}

// apiError answers status with msg and, for refused input, what is wrong with each field.
func apiError(w http.ResponseWriter, status int, msg string, fields map[string]string) {
	apiWriteJSON(w, status, apiErrorBody{Error: msg, Fields: fields})
}

func apiWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// apiUnknown answers a request under /api/v1/ that no endpoint serves: 405
// with the methods the path has, or 404 when it has none.
func apiUnknown(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != apiPrefix+"/" {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			apiError(w, http.StatusNotFound, "There is no such endpoint. The endpoints are listed in docs/api.md.", nil)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		apiError(w, http.StatusMethodNotAllowed, "This endpoint does not take "+r.Method+"; it takes "+
			strings.Join(allow, " or ")+".", nil)
	})
}

// apiNotFound answers 404 for a missing record, or 500 for another error.
func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request, what string, err error) {
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		s.apiServerError(w, r, "look up "+what, err)
		return
	}
	apiError(w, http.StatusNotFound, "There is no "+what+" with this ID.", nil)
}

func (s *Server) apiServerError(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.Error(what, slog.String("path", r.URL.Path), slog.Any("err", err))
	apiError(w, http.StatusInternalServerError, "Something went wrong on the server. Try again in a moment.", nil)
}

// apiAudit writes an audit entry with the request's token as actor.
func (s *Server) apiAudit(r *http.Request, e storage.AuditEntry) {
	e.Actor = "api " + apiTokenFrom(r).Name
	s.audit(r, e)
}

// apiDecodeJSON reads the request's JSON body into v. On failure it answers the
// request (415, 413, 400 or 422) and returns false.
func apiDecodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		apiError(w, http.StatusUnsupportedMediaType, "Send the body as JSON, with the header \"Content-Type: application/json\".", nil)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	} else if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("more than one JSON value")
		}
	}
	if err != nil {
		apiJSONError(w, err)
		return false
	}
	return true
}

// apiJSONError answers a body that could not be decoded.
func apiJSONError(w http.ResponseWriter, err error) {
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		apiError(w, http.StatusRequestEntityTooLarge, "The body is larger than 1 MiB. Send fewer candidates or questions at once.", nil)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		apiError(w, http.StatusUnprocessableEntity, "Some fields have the wrong type.",
			map[string]string{typeErr.Field: "must be a " + apiJSONTypeName(typeErr.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		apiError(w, http.StatusUnprocessableEntity, "The body has a field this endpoint does not know.",
			map[string]string{name: "unknown field; see docs/api.md"})
	case errors.Is(err, io.EOF):
		apiError(w, http.StatusBadRequest, "The body is empty; send a JSON object.", nil)
	default:
		apiError(w, http.StatusBadRequest, "The body is not valid JSON: "+strings.TrimPrefix(err.Error(), "json: ")+".", nil)
	}
}

func apiJSONTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "slice" || kind == "array":
		return "list"
	case kind == "struct" || kind == "map" || kind == "ptr":
		return "object"
	case kind == "bool":
		return "boolean (true or false)"
	}
	return kind
}
