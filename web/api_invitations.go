package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/takes/takes/storage"
)

// apiInvitation is a candidate's invitation as the API shows it. Link, the
// candidate's secret address, is shown to admin tokens only.
type apiInvitation struct {
	ID          string         `json:"id"`
	InterviewID string         `json:"interviewId"`
	Name        string         `json:"name"`
	Email       string         `json:"email,omitempty"`
	Link        string         `json:"link,omitempty"`
	Status      storage.Status `json:"status"`
	// Deadline is the candidate's own deadline, or the interview's; absent when none.
	Deadline    time.Time `json:"deadline,omitzero"`
	CreatedAt   time.Time `json:"createdAt"`
	OpenedAt    time.Time `json:"openedAt,omitzero"`
	DetailsAt   time.Time `json:"detailsAt,omitzero"`
	SubmittedAt time.Time `json:"submittedAt,omitzero"`
	RevokedAt   time.Time `json:"revokedAt,omitzero"`
	// ResultsURL is where the submitted answers are, once there are any.
	ResultsURL string `json:"resultsUrl,omitempty"`
}

// newAPIInvitation shows inv of iv; started tells whether the candidate recorded anything.
func (s *Server) newAPIInvitation(r *http.Request, iv *storage.Interview, inv *storage.Invitation, started bool) apiInvitation {
	out := apiInvitation{
		ID: inv.ID, InterviewID: inv.InterviewID, Name: inv.Name, Email: inv.Email,
		Status: inv.Status(started), Deadline: inv.DeadlineIn(iv), CreatedAt: inv.CreatedAt,
		OpenedAt: inv.OpenedAt, DetailsAt: inv.DetailsAt, SubmittedAt: inv.SubmittedAt, RevokedAt: inv.RevokedAt,
	}
	if apiTokenFrom(r).Role == storage.RoleAdmin {
		out.Link = s.apiBaseURL(r) + "/i/" + inv.Token
	}
	if out.Status == storage.StatusSubmitted {
		out.ResultsURL = apiPrefix + "/invitations/" + inv.ID + "/results"
	}
	return out
}

// apiBaseURL is the server's address in links: the public URL when set, else the
// address the request came to.
func (s *Server) apiBaseURL(r *http.Request) string {
	if s.auth.PublicURL != "" {
		return strings.TrimSuffix(s.auth.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// apiStarted reports whether the candidate of an invitation recorded any take.
func (s *Server) apiStarted(invitationID string) (bool, error) {
	takes, err := s.store.Takes(invitationID)
	return len(takes) > 0, err
}

// apiInvitationOf returns the invitation of the path's {id} and its interview, or answers 404.
func (s *Server) apiInvitationOf(w http.ResponseWriter, r *http.Request) (*storage.Invitation, *storage.Interview, bool) {
	id := r.PathValue("id")
	if !storage.ValidID(id) {
		s.apiNotFound(w, r, "invitation", nil)
		return nil, nil, false
	}
	inv, err := s.store.Invitation(id)
	if err != nil {
		s.apiNotFound(w, r, "invitation", err)
		return nil, nil, false
	}
	iv, err := s.store.Interview(inv.InterviewID)
	if err != nil {
		s.apiNotFound(w, r, "invitation", err)
		return nil, nil, false
	}
	return inv, iv, true
}

// apiInvitation shows one invitation and where its candidate is.
func (s *Server) apiInvitation(w http.ResponseWriter, r *http.Request) {
	inv, iv, ok := s.apiInvitationOf(w, r)
	if !ok {
		return
	}
	started, err := s.apiStarted(inv.ID)
	if err != nil {
		s.apiServerError(w, r, "list takes", err)
		return
	}
	apiWriteJSON(w, http.StatusOK, s.newAPIInvitation(r, iv, inv, started))
}

// apiInvitations lists an interview's invitations, oldest first, with each candidate's status.
func (s *Server) apiInvitations(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.apiInterviewOf(w, r)
	if !ok {
		return
	}
	sums, err := s.store.InvitationSummaries(iv.ID)
	if err != nil {
		s.apiNotFound(w, r, "interview", err)
		return
	}
	out := make([]apiInvitation, 0, len(sums))
	for i := range sums {
		out = append(out, s.newAPIInvitation(r, iv, &sums[i].Invitation, sums[i].Started))
	}
	apiWriteJSON(w, http.StatusOK, struct {
		Invitations []apiInvitation `json:"invitations"`
	}{out})
}

// maxAPICandidates is how many candidates one request may invite.
const maxAPICandidates = 500

// apiCandidate is one candidate to invite.
type apiCandidate struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// apiInvite invites candidates to an interview and answers their links.
func (s *Server) apiInvite(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.apiInterviewOf(w, r)
	if !ok {
		return
	}
	var in struct {
		Candidates []apiCandidate `json:"candidates"`
	}
	if !apiDecodeJSON(w, r, &in) {
		return
	}
	if fields := apiCheckCandidates(in.Candidates); len(fields) > 0 {
		apiError(w, http.StatusUnprocessableEntity, "Some candidates are not valid: see fields.", fields)
		return
	}
	invs, err := s.apiCreateInvitations(iv, in.Candidates)
	if err != nil {
		s.apiNotFound(w, r, "interview", err) // deleted meanwhile, or a server error
		return
	}
	out := make([]apiInvitation, len(invs))
	for i := range invs {
		out[i] = s.newAPIInvitation(r, iv, &invs[i], false)
	}
	apiWriteJSON(w, http.StatusCreated, struct {
		Invitations []apiInvitation `json:"invitations"`
	}{out})
}

// apiCreateInvitations creates one invitation per candidate, all or none.
func (s *Server) apiCreateInvitations(iv *storage.Interview, cs []apiCandidate) ([]storage.Invitation, error) {
	invs := make([]storage.Invitation, len(cs))
	for i, c := range cs {
		invs[i] = storage.Invitation{Name: c.Name, Email: c.Email}
	}
	return s.store.CreateInvitations(iv.ID, invs)
}

// apiCheckCandidates tidies the candidates in place and returns what is wrong, by
// field ("candidates.2.email"); nothing when all are good.
func apiCheckCandidates(cs []apiCandidate) map[string]string {
	fields := make(map[string]string)
	switch {
	case len(cs) == 0:
		fields["candidates"] = "List at least one candidate, as {\"name\": \"…\", \"email\": \"…\"}."
	case len(cs) > maxAPICandidates:
		fields["candidates"] = fmt.Sprintf("Invite at most %d candidates per request.", maxAPICandidates)
	}
	for i := range cs {
		c := &cs[i]
		c.Name, c.Email = strings.TrimSpace(c.Name), strings.TrimSpace(c.Email)
		if c.Name == "" || utf8.RuneCountInString(c.Name) > 200 || strings.ContainsAny(c.Name, "\r\n\x00") {
			fields[fmt.Sprintf("candidates.%d.name", i)] = "Give the candidate's name, in at most 200 characters on one line."
		}
		if a, err := mail.ParseAddress(c.Email); c.Email != "" && (err != nil || a.Address != c.Email) {
			fields[fmt.Sprintf("candidates.%d.email", i)] = "Give a plain email address such as ana@example.com, or leave it out."
		}
	}
	return fields
}

// apiRevokeInvitation withdraws a candidate's link; the candidate can no longer
// record. A submitted candidate's link cannot be revoked.
func (s *Server) apiRevokeInvitation(w http.ResponseWriter, r *http.Request) {
	inv, iv, ok := s.apiInvitationOf(w, r)
	if !ok {
		return
	}
	inv, err := s.store.RevokeInvitation(inv.ID)
	if !s.apiInvitationChanged(w, r, err, "revoke") {
		return
	}
	s.endCandidate(inv.ID)
	s.log.Info("invitation revoked through the API", slog.String("invitation", inv.ID), slog.String("token", apiTokenFrom(r).ID))
	s.apiWriteInvitation(w, r, iv, inv)
}

// apiSetDeadline gives a candidate their own deadline, or clears it.
func (s *Server) apiSetDeadline(w http.ResponseWriter, r *http.Request) {
	inv, iv, ok := s.apiInvitationOf(w, r)
	if !ok {
		return
	}
	var in struct {
		Deadline string `json:"deadline"` // RFC 3339; "" clears it
	}
	if !apiDecodeJSON(w, r, &in) {
		return
	}
	var t time.Time
	if msg := apiParseDeadline(in.Deadline, time.Now(), &t); msg != "" {
		apiError(w, http.StatusUnprocessableEntity, "The deadline is not valid: see fields.", map[string]string{"deadline": msg})
		return
	}
	inv, err := s.store.SetInvitationDeadline(inv.ID, t)
	if s.apiInvitationChanged(w, r, err, "set deadline") {
		s.apiWriteInvitation(w, r, iv, inv)
	}
}

// apiInvitationChanged answers a failed change of an invitation and reports whether it succeeded.
func (s *Server) apiInvitationChanged(w http.ResponseWriter, r *http.Request, err error, what string) bool {
	switch {
	case errors.Is(err, storage.ErrSubmitted):
		apiError(w, http.StatusConflict, "This candidate already submitted their answers, so their link can no longer change. "+
			"To remove their data, delete the invitation.", nil)
	case err != nil:
		s.apiNotFound(w, r, "invitation", err)
	}
	return err == nil
}

// apiWriteInvitation answers the invitation as it now is.
func (s *Server) apiWriteInvitation(w http.ResponseWriter, r *http.Request, iv *storage.Interview, inv *storage.Invitation) {
	started, err := s.apiStarted(inv.ID)
	if err != nil {
		s.apiServerError(w, r, "list takes", err)
		return
	}
	apiWriteJSON(w, http.StatusOK, s.newAPIInvitation(r, iv, inv, started))
}

// apiDeleteCandidate deletes a candidate's invitation, answers, reviews and
// files for good, submitted or not. The audit entry is written first, so that
// no deletion goes unrecorded.
func (s *Server) apiDeleteCandidate(w http.ResponseWriter, r *http.Request) {
	inv, _, ok := s.apiInvitationOf(w, r)
	if !ok {
		return
	}
	s.apiAudit(r, storage.AuditEntry{Action: "delete candidate", InterviewID: inv.InterviewID, InvitationID: inv.ID,
		Detail: inv.Name})
	s.endCandidate(inv.ID)
	if _, err := s.store.DeleteCandidate(inv.ID); err != nil {
		s.apiNotFound(w, r, "invitation", err) // deleted meanwhile, or a server error
		return
	}
	if err := s.media.RemoveInvitation(inv.InterviewID, inv.ID); err != nil {
		// The records are gone, so the next start deletes the files that are left.
		s.log.Error("remove a deleted candidate's files", slog.String("invitation", inv.ID), slog.Any("err", err))
	}
	s.log.Info("candidate deleted through the API", slog.String("invitation", inv.ID), slog.String("token", apiTokenFrom(r).ID))
	w.WriteHeader(http.StatusNoContent)
}
