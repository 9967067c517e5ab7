package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/takes/takes/storage"
)

// deletionStore is what this file's handlers need of the record store.
type deletionStore interface {
	Invitation(id string) (*storage.Invitation, error)
	Takes(invitationID string) ([]storage.Take, error)
	DeleteCandidate(invitationID string) (*storage.Invitation, error)
}

// deletionRoutes serves the deletion of a candidate, and the audit log (auditpage.go).
func (s *Server) deletionRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/candidates/{inv}/delete", s.requireUser(s.deletionConfirm, storage.RoleAdmin))
	mux.Handle("POST /admin/candidates/{inv}/delete", s.requireUser(s.deleteCandidate, storage.RoleAdmin))
	mux.Handle("GET /admin/audit", s.requireUser(s.auditPage, storage.RoleAdmin))
}

// deletionPage is the data of deletion.html, which asks to confirm a deletion.
type deletionPage struct {
	page
	Candidate *storage.Invitation
	Interview *storage.Interview
	Name      string
	Takes     int // recordings that will be deleted
}

// deletionConfirm asks the admin to confirm the deletion of a candidate.
func (s *Server) deletionConfirm(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.pathInvitation(w, r)
	if !ok {
		return
	}
	s.showDeletion(w, r, http.StatusOK, inv, "")
}

func (s *Server) showDeletion(w http.ResponseWriter, r *http.Request, status int, inv *storage.Invitation, errMsg string) {
	iv, err := s.store.Interview(inv.InterviewID)
	if err != nil {
		s.serverError(w, r, "load interview", err)
		return
	}
	takes, err := s.store.Takes(inv.ID)
	if err != nil {
		s.serverError(w, r, "load takes", err)
		return
	}
	name := reviewName(inv)
	data := deletionPage{page: s.pageFor(r, "Delete "+name), Candidate: inv, Interview: iv, Name: name}
	for _, t := range takes {
		if t.State != storage.TakeRemoved {
			data.Takes++
		}
	}
	data.Error = errMsg
	s.render(w, status, "deletion", data)
}

// deleteCandidate deletes a candidate, submitted or not, for good once confirmed:
// first the audit entry, then every record in one transaction, then the files.
func (s *Server) deleteCandidate(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.pathInvitation(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.showDeletion(w, r, http.StatusUnprocessableEntity, inv,
			"Nothing was deleted. To delete this candidate, press “Delete for good” on this page.")
		return
	}
	s.audit(r, storage.AuditEntry{Action: "delete candidate", InterviewID: inv.InterviewID, InvitationID: inv.ID,
		Detail: reviewName(inv)})
	s.endCandidate(inv.ID) // a take in progress is saved, then deleted with the rest
	if _, err := s.store.DeleteCandidate(inv.ID); errors.Is(err, storage.ErrNotFound) {
		s.shareNotFound(w, r) // deleted meanwhile, by someone else or by retention
		return
	} else if err != nil {
		s.serverError(w, r, "delete candidate", err)
		return
	}
	if err := s.media.RemoveInvitation(inv.InterviewID, inv.ID); err != nil {
		// The records are gone, so the next start deletes the files that are left.
		s.log.Error("remove a deleted candidate's files", slog.String("invitation", inv.ID), slog.Any("err", err))
	}
	s.log.Info("candidate deleted", slog.String("invitation", inv.ID), slog.String("by", userFrom(r).Email))
	http.Redirect(w, r, "/admin/interviews/"+inv.InterviewID+"?notice=deleted", http.StatusSeeOther)
}
