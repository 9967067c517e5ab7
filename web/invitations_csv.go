package web

import (
	"encoding/csv"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
)

// invitationsCSVHeader is the first row of an interview's invitations.csv.
var invitationsCSVHeader = []string{"name", "email", "link", "status", "invited_at", "opened_at", "submitted_at", "deadline"}

// invitationsCSV sends an interview's candidates with their links and statuses
// as a CSV file, for a spreadsheet or a mail merge.
func (s *Server) invitationsCSV(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.pathInterview(w, r)
	if !ok {
		return
	}
	sums, err := s.store.InvitationSummaries(iv.ID)
	if err != nil {
		s.serverError(w, r, "list invitations", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": csvFileName(iv.Title)}))
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write(invitationsCSVHeader)
	for _, row := range s.candidateRows(r, iv, sums) {
		cw.Write(csvSafe([]string{
			row.Name, row.Email, row.Link, string(row.Status()), csvTime(row.CreatedAt),
			csvTime(row.OpenedAt), csvTime(row.SubmittedAt), csvTime(row.DeadlineIn(iv)),
		}))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Warn("write invitations.csv", slog.String("interview", iv.ID), slog.Any("err", err))
	}
}

// csvTime writes t in UTC as RFC 3339; the zero time is an empty cell.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvSafe keeps a spreadsheet from running a cell as a formula: a cell that
// starts with = + - @ (or a tab or carriage return) gets a leading quote.
func csvSafe(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// csvFileName makes the download's file name from the interview's title.
func csvFileName(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		switch {
		case ok:
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "interview"
	}
	return name + "-invitations.csv"
}
