package web

import (
	"archive/zip"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/takes/takes/storage"
)

// reviewTake plays a submitted candidate's take of one question, with Range
// support so the browser can seek; with ?download=1 it is a download, which is
// audited (playback's many Range requests are not).
func (s *Server) reviewTake(w http.ResponseWriter, r *http.Request) {
	inv, iv, t, ok := s.reviewAnswerOf(w, r)
	if !ok {
		return
	}
	f, err := s.media.Open(t.TakeKey)
	if err != nil {
		s.logReview("open take", inv, err)
		s.reviewNotFound(w, r)
		return
	}
	if r.URL.Query().Get("download") == "1" {
		name := reviewFileName(reviewName(inv), "-q"+strconv.Itoa(reviewIndex(iv, t.Question))+".webm")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		if reviewFirstRequest(r) {
			s.audit(r, storage.AuditEntry{Action: "download take", InterviewID: iv.ID, InvitationID: inv.ID,
				Detail: reviewName(inv) + ", question " + strconv.Itoa(reviewIndex(iv, t.Question))})
		}
	}
	s.serveWebM(w, r, f, "take "+t.TakeKey.String())
}

// reviewFirstRequest reports whether r asks for a file from its start: a GET
// without a Range, or with one from byte 0.
func reviewFirstRequest(r *http.Request) bool {
	rg := r.Header.Get("Range")
	return r.Method == http.MethodGet && (rg == "" || strings.HasPrefix(rg, "bytes=0-"))
}

// reviewIndex returns the 1-based position of question q in iv (0 when not there).
func reviewIndex(iv *storage.Interview, q string) int {
	for i := range iv.Questions {
		if iv.Questions[i].ID == q {
			return i + 1
		}
	}
	return 0
}

// reviewFileName makes a download's file name from a candidate's name: letters and
// digits kept, everything else a single "-", at most 60 characters, then suffix.
func reviewFileName(name, suffix string) string {
	var b strings.Builder
	dash, n := false, 0
	for _, c := range name {
		if n >= 60 {
			break
		}
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
			dash, n = false, n+1
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash, n = true, n+1
		}
	}
	base := strings.TrimRight(b.String(), "-")
	if base == "" {
		base = "candidate"
	}
	return base + suffix
}

// reviewZipEntry is one take of a zip download, its file already open.
type reviewZipEntry struct {
	name string
	take storage.Take
	file storage.MediaFile
}

// reviewZip streams every submitted take of a candidate as one zip archive, one
// file per answered question named by its position. WebM is compressed already, so
// the files are stored as they are.
func (s *Server) reviewZip(w http.ResponseWriter, r *http.Request) {
	inv, iv, ok := s.reviewCandidate(w, r)
	if !ok {
		return
	}
	entries, err := s.reviewOpenTakes(inv, iv)
	defer func() {
		for _, e := range entries {
			e.file.Close()
		}
	}()
	if err != nil {
		s.serverError(w, r, "open takes for zip", err)
		return
	}
	name := reviewFileName(reviewName(inv), "-answers.zip")
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	s.audit(r, storage.AuditEntry{Action: "download all takes", InterviewID: iv.ID, InvitationID: inv.ID,
		Detail: reviewName(inv) + ", " + reviewPlural(len(entries), "take", "takes")})
	if err := writeReviewZip(w, entries); err != nil {
		// The status is sent already: the client sees a cut-off archive.
		s.log.Error("write zip", slog.String("invitation", inv.ID), slog.Any("err", err))
	}
}

// reviewOpenTakes opens the file of every submitted take of inv, in question order.
// Files are opened before anything is sent, so a missing one is a clean error.
func (s *Server) reviewOpenTakes(inv *storage.Invitation, iv *storage.Interview) ([]reviewZipEntry, error) {
	takes, err := s.store.CurrentTakes(inv.ID)
	if err != nil {
		return nil, err
	}
	var out []reviewZipEntry
	for i, q := range iv.Questions {
		t, ok := takes[q.ID]
		if !ok || t.State != storage.TakeSubmitted {
			continue
		}
		f, err := s.media.Open(t.TakeKey)
		if err != nil {
			return out, err
		}
		name := reviewFileName(reviewName(inv), "-q"+strconv.Itoa(i+1)+".webm")
		out = append(out, reviewZipEntry{name: name, take: t, file: f})
	}
	return out, nil
}

func writeReviewZip(w io.Writer, entries []reviewZipEntry) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store, Modified: e.take.FinishedAt})
		if err != nil {
			return err
		}
		if _, err := io.Copy(fw, e.file); err != nil {
			return err
		}
	}
	return zw.Close()
}
