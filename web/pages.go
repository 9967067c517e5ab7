package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/takes/takes/storage"
)

// The recruiter's pages are rendered on the server from templates/: layout.html
// frames every other file there, which defines "content" (and may define "head").
// Every page also sees the templates of templates/partials/, which pages share.
//
//go:embed templates
var templatesFS embed.FS

// page is what every page's template sees; the pages embed it in their own data.
type page struct {
	Title  string
	User   *storage.User // nil when nobody is signed in
	CSRF   string        // the session's CSRF token, for forms
	Error  string        // shown in an alert above the content
	Notice string        // shown in a status box above the content
}

// parsePages parses each page of templates/ with the layout, by name without ".html".
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templatesFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	partials, err := fs.Glob(templatesFS, "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	funcs := template.FuncMap{
		"when":          formatTime,
		"ms":            formatMillis,
		"dur":           formatDuration,
		"datetimeLocal": datetimeLocal,
		"upto":          upto,
	}
	pages := make(map[string]*template.Template)
	for _, name := range names {
		if path.Base(name) == "layout.html" {
			continue
		}
		files := append([]string{"templates/layout.html", name}, partials...)
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templatesFS, files...)
		if err != nil {
			return nil, fmt.Errorf("web: parse template: %w", err)
		}
		pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return pages, nil
}

// formatTime shows a time to the recruiter; the zero time is "never".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// formatMillis shows a take's length in milliseconds as m:ss.
func formatMillis(ms int64) string {
	s := (ms + 500) / 1000
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// formatDuration shows a limit such as 3 min, 90 s or 1 h 30 min; zero is "none".
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "none"
	case d%time.Minute != 0:
		return fmt.Sprintf("%d s", int64(d/time.Second))
	case d >= time.Hour && d%time.Hour != 0:
		return fmt.Sprintf("%d h %d min", int64(d/time.Hour), int64(d%time.Hour/time.Minute))
	case d >= time.Hour:
		return fmt.Sprintf("%d h", int64(d/time.Hour))
	}
	return fmt.Sprintf("%d min", int64(d/time.Minute))
}

// datetimeLocal formats t (in UTC) for an <input type="datetime-local">; zero is "".
func datetimeLocal(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04")
}

// upto returns 1..n, for ranging in templates (e.g. over stars).
func upto(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// render writes the named page with the given status. The page is rendered in full
// first, so that a template error becomes a clean 500.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	t, ok := s.pages[name]
	err := fmt.Errorf("no page %q", name)
	if ok {
		err = t.Execute(&buf, data)
	}
	if err != nil {
		s.log.Error("render page", slog.String("page", name), slog.Any("err", err))
		http.Error(w, "This page cannot be shown right now.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// message is the data of a page that only says something.
type message struct {
	page
	Text string
	Back string // where the page's one link goes
}

// showMessage renders a page that only says text, with a link back.
func (s *Server) showMessage(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	back := "/admin/"
	if userFrom(r) == nil {
		back = "/login"
	}
	s.render(w, status, "message", message{page: s.pageFor(r, title), Text: text, Back: back})
}
