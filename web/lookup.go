package web

import (
	"errors"
	"net/http"

	"github.com/takes/takes/storage"
)

// The recruiters' pages look up the interview ({id}) or the candidate ({inv}) of
// their path the same way: an ID of the wrong shape is as unknown as a missing one.

// pathInterview loads the interview of the path's {id}, or answers 404 and reports false.
func (s *Server) pathInterview(w http.ResponseWriter, r *http.Request) (*storage.Interview, bool) {
	id := r.PathValue("id")
	var iv *storage.Interview
	err := storage.ErrNotFound
	if storage.ValidID(id) {
		iv, err = s.store.Interview(id)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.showMessage(w, r, http.StatusNotFound, "Interview not found",
			"There is no interview at this address. It may have been deleted; go back to the list of interviews.")
		return nil, false
	case err != nil:
		s.serverError(w, r, "load interview", err)
		return nil, false
	}
	return iv, true
}

// pathInvitation loads the invitation of the path's {inv}, or answers 404 and reports false.
func (s *Server) pathInvitation(w http.ResponseWriter, r *http.Request) (*storage.Invitation, bool) {
	id := r.PathValue("inv")
	var inv *storage.Invitation
	err := storage.ErrNotFound
	if storage.ValidID(id) {
		inv, err = s.store.Invitation(id)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.showMessage(w, r, http.StatusNotFound, "Candidate not found",
			"There is no candidate at this address. They may have been deleted; go back to the interview’s page.")
		return nil, false
	case err != nil:
		s.serverError(w, r, "load invitation", err)
		return nil, false
	}
	return inv, true
}
