package loadgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/takes/takes/storage"
)

// Questions is how many questions the load interview has: more than a peer answers in a run, so that
// most takes stay on disk to be judged.
const Questions = 30

// Invitation is one invitation Prepare made.
type Invitation struct {
	ID, Token string
}

// Prepare creates, in the store of the data directory dataDir, an interview of Questions questions
// without limits and n invitations to it whose candidates have accepted the privacy policy and given
// their details, and returns them. The server must not be running: it holds the store.
func Prepare(dataDir string, n int) ([]Invitation, error) {
	if n < 1 || n > MaxPeers {
		return nil, fmt.Errorf("loadgen: %d invitations (want 1 to %d)", n, MaxPeers)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("loadgen: data directory: %w", err)
	}
	db, err := storage.Open(filepath.Join(dataDir, "takes.db"))
	if err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	defer db.Close()
	iv := &storage.Interview{Title: "Load test"}
	for i := range Questions {
		iv.Questions = append(iv.Questions, storage.Question{Text: "Load question " + strconv.Itoa(i+1), Optional: true})
	}
	if err := db.CreateInterview(iv); err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	out := make([]Invitation, 0, n)
	for i := range n {
		inv := &storage.Invitation{InterviewID: iv.ID, Name: fmt.Sprintf("Load Peer %d", i)}
		if err := db.CreateInvitation(inv); err != nil {
			return nil, fmt.Errorf("loadgen: %w", err)
		}
		if _, err := db.AcceptPrivacy(inv.ID); err != nil {
			return nil, fmt.Errorf("loadgen: %w", err)
		}
		details := map[string]string{"name": inv.Name, "email": fmt.Sprintf("peer%d@example.com", i)}
		if _, err := db.SaveDetails(inv.ID, details); err != nil {
			return nil, fmt.Errorf("loadgen: %w", err)
		}
		out = append(out, Invitation{ID: inv.ID, Token: inv.Token})
	}
	return out, nil
}
