package db

import (
	"context"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

// clusterMetrics are the routing layer's Prometheus metrics.
type clusterMetrics struct {
	queries   *prometheus.CounterVec
	decisions *prometheus.CounterVec
	lag       *prometheus.GaugeVec
	healthy   *prometheus.GaugeVec

	primaryChanges prometheus.Counter
	failovers      prometheus.Counter
	semiSync       prometheus.Gauge
	writable       prometheus.Gauge
}

func newClusterMetrics() *clusterMetrics {
	return &clusterMetrics{
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "db_queries_total", Help: "SQL statements run, by node and kind (read or write).",
		}, []string{"node", "kind"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "db_route_decisions_total", Help: "Requests bound to a node, by reason.",
		}, []string{"reason"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "db_replica_lag_seconds", Help: "Replication lag each replica last reported.",
		}, []string{"node"}),
		healthy: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "db_replica_healthy", Help: "1 while the replica is in read rotation.",
		}, []string{"node"}),
		primaryChanges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "db_primary_changes_total", Help: "Times the writable node changed (switchover, failover, or an outside tool's promotion).",
		}),
		failovers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "db_failovers_total", Help: "Primary changes while the old primary did not answer.",
		}),
		semiSync: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "db_semi_sync_active", Help: "1 while the primary waits for a replica's acknowledgement of every commit; 0 when off or fallen back to asynchronous.",
		}),
		writable: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "db_writable_nodes", Help: "Nodes accepting writes at the last check: 1 normally, 0 during a change, 2 or more is a split brain (writes refused).",
		}),
	}
}

// RegisterMetrics registers the cluster's metrics on reg.
func (c *Cluster) RegisterMetrics(reg prometheus.Registerer) {
	reg.MustRegister(c.metrics.queries, c.metrics.decisions, c.metrics.lag, c.metrics.healthy,
		c.metrics.primaryChanges, c.metrics.failovers, c.metrics.semiSync, c.metrics.writable)
}

// registerCallbacks counts every statement by the node its request is bound to,
// and flags a replica's connection errors so the read can be retried elsewhere.
func (c *Cluster) registerCallbacks() error {
	cb := c.gorm.Callback()
	after := func(kind string) func(*gorm.DB) {
		return func(tx *gorm.DB) { c.observe(tx, kind) }
	}
	for _, r := range []struct {
		p interface {
			Register(string, func(*gorm.DB)) error
		}
		kind string
	}{
		{cb.Query().After("*"), "read"},
		{cb.Row().After("*"), "read"},
		{cb.Raw().After("*"), ""},
		{cb.Create().After("*"), "write"},
		{cb.Update().After("*"), "write"},
		{cb.Delete().After("*"), "write"},
	} {
		if err := r.p.Register("teachtrack:observe", after(r.kind)); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) observe(tx *gorm.DB, kind string) {
	b := bindingFrom(tx.Statement.Context)
	if b == nil {
		return
	}
	switch {
	case kind == "":
		kind = "write"
		if isReadSQL(tx.Statement.SQL.String()) {
			kind = "read"
		}
	case kind == "read":
		// A locking read (SELECT … FOR UPDATE) is part of a write.
		if _, locking := tx.Statement.Clauses["FOR"]; locking {
			kind = "write"
		}
	}
	node := b.node
	if kind == "write" {
		// dbresolver sends writes to the primary whatever the request's binding.
		node = c.primary
	}
	c.metrics.queries.WithLabelValues(node.Name, kind).Inc()
	if kind == "read" {
		node.reads.Add(1)
	} else {
		node.writes.Add(1)
	}
	if tx.Error != nil && IsConnectionError(tx.Error) && tx.Statement.Context.Err() == nil {
		node.errors.Add(1)
		if node != c.primary {
			b.failed.Store(true)
		}
	}
}

func isReadSQL(sql string) bool {
	s := strings.TrimSpace(sql)
	if len(s) < 6 {
		return false
	}
	switch strings.ToUpper(s[:4]) {
	case "SELE", "SHOW", "WITH":
		return !strings.Contains(strings.ToUpper(s), "FOR UPDATE")
	}
	return false
}

type bindingKey struct{}

func bindingFrom(ctx context.Context) *Binding {
	if ctx == nil {
		return nil
	}
	b, _ := ctx.Value(bindingKey{}).(*Binding)
	return b
}
