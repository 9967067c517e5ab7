package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/takes/takes/storage"
)

// Invitations in bulk: the recruiter pastes one candidate a line, as
// "name, email", "name <email>", the email alone or the name alone.

const (
	// maxInvitees is how many candidates one paste may invite.
	maxInvitees = 500
	// maxInviteeName and maxInviteeEmail bound a candidate's name and email, in characters.
	maxInviteeName  = 200
	maxInviteeEmail = 254
)

// createdPage is the data of the page that shows new invitations (invitations_created.html).
type createdPage struct {
	page
	Interview *storage.Interview
	Rows      []candidateRow
}

// AllLinks is every new candidate with their link, one a line, to copy at once.
func (c createdPage) AllLinks() string {
	var b strings.Builder
	for _, row := range c.Rows {
		fmt.Fprintf(&b, "%s, %s, %s\n", row.Name, row.Email, row.Link)
	}
	return b.String()
}

// invite creates an invitation for each line of the posted text, or none when a
// line is wrong, and shows the new links.
func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.pathInterview(w, r)
	if !ok {
		return
	}
	lines := r.PostFormValue("lines")
	invs, problems := parseInvitees(lines)
	if len(problems) > 0 {
		data := overviewPage{Lines: lines, Problems: problems}
		data.Error = "No invitations were created. Correct the lines listed under the form and try again."
		s.showOverview(w, r, http.StatusUnprocessableEntity, iv, data)
		return
	}
	created, err := s.store.CreateInvitations(iv.ID, invs)
	if errors.Is(err, storage.ErrNotFound) {
		s.showMessage(w, r, http.StatusNotFound, "Interview not found",
			"This interview no longer exists: someone deleted it a moment ago.")
		return
	}
	if err != nil {
		s.serverError(w, r, "create invitations", err)
		return
	}
	s.log.Info("invitations created", slog.String("interview", iv.ID), slog.Int("count", len(created)),
		slog.String("by", userFrom(r).Email))
	sums := make([]storage.InvitationSummary, len(created))
	for i, inv := range created {
		sums[i] = storage.InvitationSummary{Invitation: inv}
	}
	p := s.pageFor(r, "Candidates invited")
	p.Notice = invitedNotice(len(created))
	s.render(w, http.StatusOK, "invitations_created",
		createdPage{page: p, Interview: iv, Rows: s.candidateRows(r, iv, sums)})
}

func invitedNotice(n int) string {
	if n == 1 {
		return "1 invitation link was created. Takes sends no email: send the link to the candidate yourself."
	}
	return fmt.Sprintf("%d invitation links were created. Takes sends no email: "+
		"send each candidate their own link yourself.", n)
}

// parseInvitees reads one candidate from each non-blank line of text. It returns
// the candidates, or what is wrong, one message per bad line.
func parseInvitees(text string) ([]storage.Invitation, []string) {
	var invs []storage.Invitation
	var problems []string
	emails := make(map[string]int) // lower-case email → its line
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		inv, problem := parseInvitee(line)
		if problem == "" && inv.Email != "" {
			key := strings.ToLower(inv.Email)
			if first, ok := emails[key]; ok {
				problem = fmt.Sprintf("the email %s is also on line %d", inv.Email, first)
			} else {
				emails[key] = n
			}
		}
		if problem != "" {
			problems = append(problems, fmt.Sprintf("Line %d: %s.", n, problem))
		}
		invs = append(invs, inv)
	}
	switch {
	case len(invs) == 0:
		return nil, []string{"There is nobody to invite: write one candidate a line, as “name, email”."}
	case len(invs) > maxInvitees:
		problems = append([]string{fmt.Sprintf("There are %d candidates; invite at most %d at a time, "+
			"and the rest in another round.", len(invs), maxInvitees)}, problems...)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return invs, nil
}

// parseInvitee reads one candidate from a trimmed, non-blank line; it returns
// what is wrong, or "".
func parseInvitee(line string) (storage.Invitation, string) {
	name, email, problem := splitInvitee(line)
	if problem != "" {
		return storage.Invitation{}, problem
	}
	name = strings.TrimSpace(strings.Trim(name, `"`))
	switch {
	case name == "" && email == "":
		return storage.Invitation{}, "there is neither a name nor an email"
	case email != "" && !validInviteeEmail(email):
		return storage.Invitation{}, fmt.Sprintf("“%s” is not an email address such as name@example.com", email)
	case utf8.RuneCountInString(name) > maxInviteeName:
		return storage.Invitation{}, fmt.Sprintf("the name is longer than %d characters", maxInviteeName)
	case strings.ContainsFunc(name, unicode.IsControl) || !utf8.ValidString(name):
		return storage.Invitation{}, "the name has characters that cannot be shown"
	}
	return storage.Invitation{Name: name, Email: email}, ""
}

// splitInvitee splits a line into its name and email.
func splitInvitee(line string) (name, email, problem string) {
	if lt := strings.LastIndex(line, "<"); lt >= 0 && strings.HasSuffix(line, ">") {
		name = strings.TrimRight(strings.TrimSpace(line[:lt]), ",\t ")
		if email = strings.TrimSpace(line[lt+1 : len(line)-1]); email == "" {
			return "", "", "there is no email between < and >"
		}
		return name, email, ""
	}
	if sep := strings.LastIndexAny(line, ",\t"); sep >= 0 {
		name, email = strings.TrimSpace(line[:sep]), strings.TrimSpace(line[sep+1:])
		if email != "" && !strings.Contains(email, "@") {
			return "", "", fmt.Sprintf("after the last comma, “%s” is not an email address; "+
				"write “name, email”, or the name alone without a comma", email)
		}
		return name, email, ""
	}
	if strings.Contains(line, "@") {
		return "", line, ""
	}
	return line, "", ""
}

// validInviteeEmail reports whether s is a plain address such as name@example.com.
func validInviteeEmail(s string) bool {
	if len(s) > maxInviteeEmail {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}
