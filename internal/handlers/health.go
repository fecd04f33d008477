package handlers

import (
	"context"
	"net/http"
	"time"
)

// handleHealthz answers whether the process is alive; it touches no database.
func (a *API) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": a.version})
}

// handleReadyz answers 200 while the primary answers, else 503 (writes can't
// succeed, though reads may still be served by replicas); the status is
// "degraded" whenever any node is out, and the body shows each node's state.
func (a *API) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	nodes := a.cluster.Status(ctx)
	status, code := "ok", http.StatusOK
	for _, n := range nodes {
		switch {
		case n.Role == "primary" && !n.Healthy:
			status, code = "degraded", http.StatusServiceUnavailable
		case !n.Healthy:
			status = "degraded"
		}
	}
	if code != http.StatusOK {
		w.Header().Set("Retry-After", "5")
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, code, map[string]any{"status": status, "nodes": nodes})
}
