package db

import (
	"context"
	"time"
)

// NodeHealth is one node's state as /readyz shows it.
type NodeHealth struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	Healthy bool   `json:"healthy"`
	Reason  string `json:"reason,omitempty"`
}

// Status reports each node for readiness: the primary by a ping now, replicas
// by the health checker's last view (so readiness agrees with routing).
func (c *Cluster) Status(ctx context.Context) []NodeHealth {
	out := make([]NodeHealth, 0, 1+len(c.replicas))
	p := NodeHealth{Name: c.primary.Name, Role: "primary", Healthy: true}
	if err := c.primary.DB.PingContext(ctx); err != nil {
		p.Healthy, p.Reason = false, "unreachable: "+shortError(err)
	}
	out = append(out, p)
	for _, n := range c.replicas {
		n.mu.Lock()
		h := n.health
		n.mu.Unlock()
		reason := h.reason
		if h.checkedAt.IsZero() {
			reason = "not checked yet"
		}
		out = append(out, NodeHealth{Name: n.Name, Role: "replica", Healthy: h.healthy, Reason: reason})
	}
	return out
}

// NodeState is one node's routing view for operators.
type NodeState struct {
	Name         string     `json:"name"`
	Role         string     `json:"role"`
	Addr         string     `json:"address"`
	Healthy      bool       `json:"healthy"`
	Reason       string     `json:"reason,omitempty"`
	LagSeconds   *float64   `json:"lag_seconds"`
	GTIDPosition string     `json:"gtid_position"`
	CheckedAt    *time.Time `json:"checked_at"`
	ReadsRouted  int64      `json:"reads"`
	WritesRouted int64      `json:"writes"`
	Errors       int64      `json:"errors"`
}

// Snapshot describes every node: health, lag, GTID position, statements routed
// and errors. The primary's position is read now.
func (c *Cluster) Snapshot(ctx context.Context) []NodeState {
	out := make([]NodeState, 0, 1+len(c.replicas))
	p := NodeState{Name: c.primary.Name, Role: "primary", Addr: c.PrimaryAddr(), Healthy: true}
	qctx, cancel := context.WithTimeout(ctx, time.Second)
	if err := c.primary.DB.QueryRowContext(qctx, primaryPositionSQL(c.flavor)).Scan(&p.GTIDPosition); err != nil {
		p.Healthy, p.Reason = false, "unreachable: "+shortError(err)
	}
	cancel()
	p.ReadsRouted, p.WritesRouted, p.Errors = c.primary.reads.Load(), c.primary.writes.Load(), c.primary.errors.Load()
	out = append(out, p)
	for _, n := range c.replicas {
		n.mu.Lock()
		h := n.health
		n.mu.Unlock()
		s := NodeState{Name: n.Name, Role: "replica", Addr: n.Addr, Healthy: h.healthy, Reason: h.reason,
			GTIDPosition: h.gtid,
			ReadsRouted:  n.reads.Load(), WritesRouted: n.writes.Load(), Errors: n.errors.Load()}
		if h.lagKnown {
			lag := h.lag.Seconds()
			s.LagSeconds = &lag
		}
		if !h.checkedAt.IsZero() {
			t := h.checkedAt.UTC()
			s.CheckedAt = &t
		}
		out = append(out, s)
	}
	return out
}

// Mode is the read-your-writes mode in force.
func (c *Cluster) Mode() string { return c.opts.Mode }
