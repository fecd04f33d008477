package handlers

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	apispec "github.com/teachtrack/api/api"
	"github.com/teachtrack/api/internal/docs"
)

// handleOpenAPI serves the API's OpenAPI document, the one the tests hold
// the server to.
func (a *API) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(apispec.Spec())
}

// handleDocs serves the Swagger UI page over /openapi.yaml.
func (a *API) handleDocs(w http.ResponseWriter, r *http.Request) {
	a.serveDocsFile(w, r, docs.Page)
}

// handleDocsFile serves the page's script, stylesheet and icon.
func (a *API) handleDocsFile(w http.ResponseWriter, r *http.Request) {
	a.serveDocsFile(w, r, chi.URLParam(r, "file"))
}

func (a *API) serveDocsFile(w http.ResponseWriter, r *http.Request, name string) {
	data, ct, ok := docs.File(name)
	if !ok {
		a.writeError(w, r, errorf(http.StatusNotFound, "There is no such file in the API reference."))
		return
	}
	w.Header().Set("Content-Type", ct)
	// The files change only with the binary; revalidate rather than cache
	// long, as they carry no version in their names.
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(data)
}
