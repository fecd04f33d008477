package db

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// Kind classifies a request: reads may be served by replicas, writes never.
type Kind int

// Request kinds.
const (
	Read Kind = iota
	Write
)

// Route is where a request was bound and why.
type Route struct {
	Node   string // node name: "primary", "replica-1", …
	Reason string // replica, sticky_primary, no_healthy_replica, write
}

// ForRequest returns a *gorm.DB bound to one node for the whole request: the
// primary for writes, one replica for reads.
func (c *Cluster) ForRequest(ctx context.Context, kind Kind, userID uint64) (*gorm.DB, Route) {
	if kind == Write || len(c.replicas) == 0 {
		reason := "write"
		if kind == Read {
			reason = "no_healthy_replica"
		}
		return c.bind(ctx, c.primary), Route{Node: c.primary.Name, Reason: reason}
	}
	n := c.replicas[int(c.next.Add(1)-1)%len(c.replicas)]
	return c.bind(ctx, n), Route{Node: n.Name, Reason: "replica"}
}

func (c *Cluster) bind(ctx context.Context, n *Node) *gorm.DB {
	if n == c.primary {
		return c.gorm.WithContext(ctx).Clauses(dbresolver.Write)
	}
	return c.gorm.WithContext(ctx).Clauses(dbresolver.Use(n.resolver))
}
