package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Result is one run's figures (written as JSON by -out).
type Result struct {
	Label     string             `json:"label,omitempty"`
	Target    string             `json:"target"`
	Users     int                `json:"users"`
	Mix       string             `json:"mix"`
	Rate      float64            `json:"rate,omitempty"`
	DurationS float64            `json:"duration_s"`
	SetupS    float64            `json:"setup_s"`
	Requests  int64              `json:"requests"`
	RPS       float64            `json:"rps"`
	All       OpStats            `json:"all"`
	Reads     OpStats            `json:"reads"`
	Writes    OpStats            `json:"writes"`
	Ops       map[string]OpStats `json:"ops"`
	// Errors counts failed requests by status ("net": no response).
	Errors map[string]int64 `json:"errors"`
	// Checks is the number of reads that followed a write; StaleReads those
	// that didn't show it.
	Checks     int64 `json:"checks"`
	StaleReads int64 `json:"stale_reads"`
	// ReadStatements and WriteStatements are db_queries_total deltas by node
	// over the measured phase; ReadShare is each node's share of the reads.
	ReadStatements  map[string]float64 `json:"read_statements,omitempty"`
	WriteStatements map[string]float64 `json:"write_statements,omitempty"`
	ReadShare       map[string]float64 `json:"read_share,omitempty"`
	// ReplicaReadShare is the replicas' share of read statements, -1 when
	// the server exposes no db_queries_total.
	ReplicaReadShare float64 `json:"replica_read_share"`
	// ReadRequestsByNode counts GET requests by the node that served them
	// (the API's X-DB-Node header, sent with ROUTING_DEBUG_HEADER=true).
	ReadRequestsByNode map[string]int64 `json:"read_requests_by_node,omitempty"`
}

// ReplicaRequestShare is the share of GET requests served by a replica, -1
// when the server sent no X-DB-Node header.
func (r *Result) ReplicaRequestShare() float64 {
	var all, replicas int64
	for node, n := range r.ReadRequestsByNode {
		all += n
		if node != "primary" {
			replicas += n
		}
	}
	if all == 0 {
		return -1
	}
	return float64(replicas) / float64(all)
}

func (r *Result) setStatements(before, after *Metrics) {
	r.ReplicaReadShare = -1
	if before == nil || after == nil || len(after.Queries) == 0 {
		return
	}
	r.ReadStatements, r.WriteStatements, r.ReadShare = map[string]float64{}, map[string]float64{}, map[string]float64{}
	var reads, replicaReads float64
	for node, kinds := range after.Queries {
		d := kinds["read"] - before.Queries[node]["read"]
		r.ReadStatements[node] = d
		r.WriteStatements[node] = kinds["write"] - before.Queries[node]["write"]
		reads += d
		if node != "primary" {
			replicaReads += d
		}
	}
	if reads > 0 {
		for node, d := range r.ReadStatements {
			r.ReadShare[node] = d / reads
		}
		r.ReplicaReadShare = replicaReads / reads
	}
}

// WriteJSON writes r to path, indented.
func (r *Result) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Print writes the human-readable report.
func (r *Result) Print(w io.Writer) {
	fmt.Fprintf(w, "%s: %d users, mix %s, %.1fs (setup %.1fs)", r.Target, r.Users, r.Mix, r.DurationS, r.SetupS)
	if r.Rate > 0 {
		fmt.Fprintf(w, ", rate cap %.0f req/s", r.Rate)
	}
	fmt.Fprintf(w, "\n%d requests, %.0f req/s; stale reads %d of %d checks\n\n", r.Requests, r.RPS, r.StaleReads, r.Checks)
	fmt.Fprintf(w, "%-18s %8s %8s %8s %8s %8s %8s %7s\n", "operation", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors")
	ops := make([]string, 0, len(r.Ops))
	for op := range r.Ops {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	row := func(name string, s OpStats) {
		fmt.Fprintf(w, "%-18s %8d %8.0f %8.2f %8.2f %8.2f %8.1f %7d\n", name, s.Count, s.RPS, s.P50ms, s.P95ms, s.P99ms, s.MaxMs, s.Errors)
	}
	for _, op := range ops {
		row(op, r.Ops[op])
	}
	row("(reads)", r.Reads)
	row("(writes)", r.Writes)
	row("(all)", r.All)
	if len(r.Errors) > 0 {
		var parts []string
		for s, n := range r.Errors {
			parts = append(parts, fmt.Sprintf("%s×%d", s, n))
		}
		sort.Strings(parts)
		fmt.Fprintf(w, "errors by status: %s\n", strings.Join(parts, ", "))
	}
	if r.ReplicaReadShare >= 0 {
		nodes := make([]string, 0, len(r.ReadShare))
		for n := range r.ReadShare {
			nodes = append(nodes, n)
		}
		sort.Strings(nodes)
		var parts []string
		for _, n := range nodes {
			parts = append(parts, fmt.Sprintf("%s %.1f%%", n, 100*r.ReadShare[n]))
		}
		fmt.Fprintf(w, "read statements by node: %s (replicas %.1f%%)\n", strings.Join(parts, ", "), 100*r.ReplicaReadShare)
	}
	if share := r.ReplicaRequestShare(); share >= 0 {
		fmt.Fprintf(w, "GET requests served by replicas: %.1f%% %v\n", 100*share, r.ReadRequestsByNode)
	}
}
