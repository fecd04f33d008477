// Package docs is the API reference page: Swagger UI's files from the npm
// package swagger-ui-dist (refreshed by `make docs-assets`) and the page that
// points them at /openapi.yaml, embedded so the page works offline.
package docs

import (
	"embed"
	"io/fs"
	"path"
)

// Only what the page loads is embedded; the licences stay beside them in the
// repository.
//
//go:embed static/*.html static/*.js static/*.css static/*.png
var static embed.FS

// Page is the HTML page served at /docs.
const Page = "index.html"

// File returns the embedded file name (a bare name such as
// "swagger-ui.css") and its content type; ok is false when there is none.
func File(name string) (data []byte, contentType string, ok bool) {
	if name == "" || path.Base(name) != name {
		return nil, "", false
	}
	data, err := fs.ReadFile(static, "static/"+name)
	if err != nil {
		return nil, "", false
	}
	return data, contentTypes[path.Ext(name)], true
}

// contentTypes is fixed here rather than taken from the system's MIME
// database, which differs between machines (.js as application/javascript).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".png":  "image/png",
}
