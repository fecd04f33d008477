package handlers

import (
	"net/http"
)

// handleAdminReplication shows operators how reads and writes are routed: each
// node's role, health and the reason it is out of rotation, lag, GTID
// position, statements served and errors; and the topology: which node is
// writable, semi-synchronous replication's state, the last change of primary.
func (a *API) handleAdminReplication(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"read_your_writes": a.cluster.Mode(),
		"nodes":            a.cluster.Snapshot(r.Context()),
		"topology":         a.cluster.Topology(),
	})
}
