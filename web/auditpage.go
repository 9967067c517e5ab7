package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// auditPageSize is how many entries of the audit log a page shows.
const auditPageSize = 100

// auditPageData is the data of audit.html.
type auditPageData struct {
	page
	Interviews []storage.Interview // to filter by
	Interview  string              // the interview filtered by; "" for all
	Rows       []auditRow
	OlderURL   string // the next page, older entries; "" when there are none
	Newest     bool   // the page starts at the newest entry
}

// auditRow is one entry of the audit log as the page shows it.
type auditRow struct {
	storage.AuditEntry
	Candidate    string // the candidate's name while they exist, else their ID
	CandidateURL string // their review page, while they exist and have submitted
}

// auditPage shows the audit log, newest first, a page at a time (?before=
// RFC 3339 time), optionally only one interview's entries (?interview=).
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	f, msg := auditFilterOf(r.URL.Query())
	data := auditPageData{page: s.pageFor(r, "Audit log"), Interview: f.InterviewID, Newest: f.Before.IsZero()}
	status := http.StatusOK
	if msg != "" {
		status, data.Error, f = http.StatusUnprocessableEntity, msg, storage.AuditFilter{}
		data.Interview, data.Newest = "", true
	}
	if err := s.fillAudit(&data, f); err != nil {
		s.serverError(w, r, "audit log", err)
		return
	}
	s.render(w, status, "audit", data)
}

// auditFilterOf reads the page's query; msg says what is wrong with it.
func auditFilterOf(q url.Values) (f storage.AuditFilter, msg string) {
	f.InterviewID = q.Get("interview")
	if f.InterviewID != "" && !storage.ValidID(f.InterviewID) {
		return f, "There is no such interview. Choose one from the list."
	}
	if b := q.Get("before"); b != "" {
		t, err := time.Parse(time.RFC3339Nano, b)
		if err != nil {
			return f, "This page of the log does not exist. The newest entries are shown instead."
		}
		f.Before = t
	}
	f.Limit = auditPageSize + 1 // one more tells whether there is an older page
	return f, ""
}

func (s *Server) fillAudit(data *auditPageData, f storage.AuditFilter) error {
	entries, err := s.store.AuditLog(f)
	if err != nil {
		return err
	}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		q := url.Values{"before": {entries[len(entries)-1].At.UTC().Format(time.RFC3339Nano)}}
		if f.InterviewID != "" {
			q.Set("interview", f.InterviewID)
		}
		data.OlderURL = "/admin/audit?" + q.Encode()
	}
	if data.Interviews, err = s.store.Interviews(); err != nil {
		return err
	}
	slices.SortFunc(data.Interviews, func(a, b storage.Interview) int { return strings.Compare(a.Title, b.Title) })
	data.Rows, err = s.auditRows(entries)
	return err
}

// auditRows names each entry's candidate, looking each up once.
func (s *Server) auditRows(entries []storage.AuditEntry) ([]auditRow, error) {
	known := make(map[string]*storage.Invitation)
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{AuditEntry: e, Candidate: e.InvitationID}
		if e.InvitationID == "" {
			continue
		}
		inv, seen := known[e.InvitationID]
		if !seen {
			var err error
			inv, err = s.store.Invitation(e.InvitationID)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return nil, err
			}
			known[e.InvitationID] = inv // nil once deleted
		}
		if inv != nil {
			rows[i].Candidate = reviewName(inv)
			if inv.Stage() == storage.StageSubmitted {
				rows[i].CandidateURL = reviewPath(inv.ID)
			}
		}
	}
	return rows, nil
}
