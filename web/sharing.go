package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// shareStore is what this file's handlers need of the record store.
type shareStore interface {
	Invitation(id string) (*storage.Invitation, error)
	CurrentTakes(invitationID string) (map[string]storage.Take, error)
	CreateShare(sh *storage.Share) error
	ShareByToken(token string) (*storage.Share, error)
	SharesFor(invitationID string) ([]storage.Share, error)
	RevokeShare(id string) (*storage.Share, error)
}

// shareExpiryDays are the lifetimes, in days, an admin can give a review link.
var shareExpiryDays = []int{1, 7, 30}

// shareRoutes serves read-only review links: admins make and withdraw them, and
// anyone with a link's token watches one submitted candidate's answers.
func (s *Server) shareRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/candidates/{inv}/shares", s.requireUser(s.shareList, storage.RoleAdmin))
	mux.Handle("POST /admin/candidates/{inv}/shares", s.requireUser(s.shareCreate, storage.RoleAdmin))
	mux.Handle("POST /admin/shares/{id}/revoke", s.requireUser(s.shareRevoke, storage.RoleAdmin))
	mux.HandleFunc("GET /s/{token}", s.sharePage)
	mux.HandleFunc("GET /s/{token}/takes/{q}", s.shareTake)
}

// sharesPath is the admin's page of a candidate's review links.
func sharesPath(inv string) string { return "/admin/candidates/" + inv + "/shares" }

// shareListPage is the data of the page of a candidate's review links (shares.html).
type shareListPage struct {
	page
	Candidate *storage.Invitation
	Interview *storage.Interview
	Name      string
	Links     shareSection
}

// shareSection is the data of the "share-links" partial: a candidate's review
// links, each with its full URL to copy, and the form that makes another.
type shareSection struct {
	CSRF      string
	Candidate string // the invitation ID, for the forms' actions
	Active    []shareLink
	Past      []shareLink // expired or withdrawn
	Expiries  []int       // the lifetimes to choose from, in days
	Days      int         // the lifetime chosen in the form
}

// shareLink is one review link as the admin sees it.
type shareLink struct {
	storage.Share
	URL string
	New bool // just made: the page points it out
}

// State says whether the link still works.
func (l shareLink) State() string {
	switch {
	case l.Revoked():
		return "withdrawn " + formatTime(l.RevokedAt)
	case l.Expired(time.Now()):
		return "expired " + formatTime(l.ExpiresAt)
	}
	return "works until " + formatTime(l.ExpiresAt)
}

// shareList shows a submitted candidate's review links, with the form to make one.
func (s *Server) shareList(w http.ResponseWriter, r *http.Request) {
	inv, iv, ok := s.reviewCandidate(w, r)
	if !ok {
		return
	}
	s.showShares(w, r, http.StatusOK, inv, iv, "")
}

func (s *Server) showShares(w http.ResponseWriter, r *http.Request, status int, inv *storage.Invitation,
	iv *storage.Interview, errMsg string) {
	links, err := s.shareSection(r, inv)
	if err != nil {
		s.serverError(w, r, "list review links", err)
		return
	}
	name := reviewName(inv)
	data := shareListPage{page: s.pageFor(r, "Review links · "+name), Candidate: inv, Interview: iv, Name: name, Links: links}
	data.Error = errMsg
	if slices.ContainsFunc(links.Active, func(l shareLink) bool { return l.New }) {
		data.Notice = "The new review link is ready. Copy it and send it to the person who will watch the answers."
	}
	s.render(w, status, "shares", data)
}

// shareSection builds the data of the "share-links" partial for candidate inv; the
// link named by the request's ?new= is pointed out as just made.
func (s *Server) shareSection(r *http.Request, inv *storage.Invitation) (shareSection, error) {
	all, err := s.store.SharesFor(inv.ID)
	if err != nil {
		return shareSection{}, err
	}
	sec := shareSection{Candidate: inv.ID, Expiries: shareExpiryDays, Days: 7}
	if a := sessionFrom(r); a != nil {
		sec.CSRF = a.session.CSRFToken
	}
	now, base := time.Now(), s.shareBaseURL(r)
	for _, sh := range all {
		l := shareLink{Share: sh, URL: base + "/s/" + sh.Token, New: sh.ID == r.URL.Query().Get("new")}
		if sh.Active(now) {
			sec.Active = append(sec.Active, l)
		} else {
			sec.Past = append(sec.Past, l)
		}
	}
	return sec, nil
}

// shareBaseURL is the start of the links handed out: the public URL when one is
// set, else the scheme and host the admin's browser used.
func (s *Server) shareBaseURL(r *http.Request) string {
	if s.auth.PublicURL != "" {
		return strings.TrimRight(s.auth.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// shareCreate makes a review link to a submitted candidate, expiring after the
// chosen number of days, and shows it to copy.
func (s *Server) shareCreate(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.pathInvitation(w, r)
	if !ok {
		return
	}
	if inv.Stage() != storage.StageSubmitted {
		s.shareMessage(w, r, http.StatusConflict, "Not submitted yet", reviewPath(inv.ID),
			"Only submitted answers can be shared. This candidate has not sent their answers yet.")
		return
	}
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || !slices.Contains(shareExpiryDays, days) {
		s.shareMessage(w, r, http.StatusUnprocessableEntity, "Choose when the link expires", sharesPath(inv.ID),
			"Choose when the review link stops working: in 1, 7 or 30 days.")
		return
	}
	sh := &storage.Share{InvitationID: inv.ID, CreatedBy: userFrom(r).Email,
		ExpiresAt: time.Now().UTC().Add(time.Duration(days) * 24 * time.Hour)}
	if err := s.store.CreateShare(sh); err != nil {
		s.serverError(w, r, "create review link", err)
		return
	}
	s.audit(r, storage.AuditEntry{Action: "create share link", InterviewID: inv.InterviewID, InvitationID: inv.ID,
		Detail: "link " + sh.ID + " for " + reviewName(inv) + ", expires " + formatTime(sh.ExpiresAt)})
	http.Redirect(w, r, sharesPath(inv.ID)+"?new="+sh.ID+"#share-"+sh.ID, http.StatusSeeOther)
}

// shareRevoke withdraws a review link; it opens nothing from then on.
func (s *Server) shareRevoke(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !storage.ValidID(id) {
		s.shareNotFound(w, r)
		return
	}
	sh, err := s.store.RevokeShare(id)
	if errors.Is(err, storage.ErrNotFound) {
		s.shareNotFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, "withdraw review link", err)
		return
	}
	s.audit(r, storage.AuditEntry{Action: "withdraw share link", InterviewID: sh.InterviewID,
		InvitationID: sh.InvitationID, Detail: "link " + sh.ID})
	http.Redirect(w, r, sharesPath(sh.InvitationID)+"#shares", http.StatusSeeOther)
}

func (s *Server) shareNotFound(w http.ResponseWriter, r *http.Request) {
	s.shareMessage(w, r, http.StatusNotFound, "Not found", "/admin/",
		"There is no such candidate or review link. It may have been deleted.")
}

// shareMessage answers status with a page that says text, with a link back.
func (s *Server) shareMessage(w http.ResponseWriter, r *http.Request, status int, title, back, text string) {
	if wantsJSON(r) {
		writeJSONError(w, status, text)
		return
	}
	s.render(w, status, "message", message{page: s.pageFor(r, title), Text: text, Back: back})
}
