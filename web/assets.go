// Package web serves Takes over HTTP: every route is listed in routes.go. The files
// the browser loads (pages, scripts, style sheets) are embedded from assets/.
package web

import (
	"embed"
	"io/fs"
)

//go:embed assets
var assetsFS embed.FS

// Assets returns the embedded page files, with "candidate.html", "candidate.js",
// "style.css", … at its root.
func Assets() fs.FS {
	sub, err := fs.Sub(assetsFS, "assets")
	if err != nil {
		// fs.Sub fails only for an invalid path name, and "assets" is valid.
		return assetsFS
	}
	return sub
}
