package db

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// health is one replica's state as the checker last saw it. A replica is in
// rotation only while healthy is true.
type health struct {
	healthy   bool
	reason    string // why it is out of rotation ("" when healthy)
	lag       time.Duration
	lagKnown  bool
	gtid      string // applied GTID position
	okStreak  int    // consecutive good checks while out of rotation
	checkedAt time.Time
}

// erSpecificAccessDenied is returned when the account lacks SLAVE MONITOR /
// REPLICATION CLIENT (common on managed replicas with a minimal app account).
const erSpecificAccessDenied = 1227

// checkReplica asks one replica for its replication state and GTID position.
// primaryDown says the primary did not answer this round: replicas then can't
// be connected to it (IO thread "Connecting", lag NULL), yet they hold every
// write that can be read, so they stay in rotation as long as they apply what
// they received.
func (c *Cluster) checkReplica(ctx context.Context, n *Node, primaryDown bool) (h health) {
	h.checkedAt = time.Now()
	st, err := readReplicaState(ctx, n.DB, c.flavor)
	monitored := true
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &me) && me.Number == erSpecificAccessDenied:
		monitored = false
		// Without the monitoring privilege threads and lag are unknown; the GTID
		// position below still keeps reads causal, so the replica stays usable.
		st = ReplicaState{Configured: true, IORunning: true, SQLRunning: true}
		c.warnOnce.Do(func() {
			c.log.Warn("the database account lacks SLAVE MONITOR / REPLICATION CLIENT: replica lag is not checked, only GTID positions", "node", n.Name)
		})
	case err != nil:
		h.reason = "unreachable: " + shortError(err)
		return h
	}
	var pos string
	if err := n.DB.QueryRowContext(ctx, replicaPositionSQL(c.flavor)).Scan(&pos); err != nil {
		h.reason = "unreachable: " + shortError(err)
		return h
	}
	h.gtid = pos
	if st.LagSeconds != nil {
		h.lag, h.lagKnown = time.Duration(*st.LagSeconds)*time.Second, true
	}
	switch {
	case !st.Configured:
		h.reason = "not replicating"
	case primaryDown:
		// Also with its threads stopped: a failover stops them while it
		// re-points the replicas, and a read-only copy of every write it
		// applied is still better than no reads (a user's own recent writes
		// are checked by GTID position all the same).
		h.healthy = true
	case !st.IORunning:
		h.reason = reasonIOStopped
	case !st.SQLRunning:
		h.reason = "replication SQL thread stopped"
	case st.LagSeconds == nil && monitored:
		h.reason = "replication lag unknown"
	case h.lag > c.opts.MaxReplicaLag:
		h.reason = fmt.Sprintf("lag %s over MAX_REPLICA_LAG %s", h.lag, c.opts.MaxReplicaLag)
	default:
		h.healthy = true
	}
	return h
}

func replicaPositionSQL(f Flavor) string {
	if f == MySQL {
		return "SELECT @@GLOBAL.gtid_executed"
	}
	return "SELECT @@GLOBAL.gtid_slave_pos"
}

// checkAll runs one round of checks on every replica at once and applies the
// rotation rule: out at the first bad check, back in after two good ones.
// first is the check at start-up, where one good check is enough.
func (c *Cluster) checkAll(ctx context.Context, first bool) {
	timeout := c.opts.HealthInterval
	if timeout < 500*time.Millisecond {
		timeout = 500 * time.Millisecond
	}
	// The roles first: which node is writable decides where writes go, and
	// which replica is in fact the primary now.
	primaryDown := !c.checkTopology(ctx, timeout)
	checks := c.checkReplicas(ctx, timeout, primaryDown)
	if !primaryDown && slices.ContainsFunc(checks, func(h health) bool { return h.reason == reasonIOStopped }) {
		// The primary may have died between the role check and the replicas'
		// (their IO threads stop when it does). Ask again before taking them
		// out of rotation, else every read goes to a dead primary until the
		// next round.
		if !c.checkTopology(ctx, timeout) {
			checks = c.checkReplicas(ctx, timeout, true)
		}
	}
	for i, n := range c.replicas {
		h := checks[i]
		if c.isPrimaryNode(n) {
			// Promoted: it serves writes, and reads only as the primary.
			h.healthy, h.reason = false, "the primary now"
		}
		c.applyCheck(n, h, first)
	}
	c.refreshHealthy()
}

// reasonIOStopped is the health reason of a replica whose IO thread stopped.
const reasonIOStopped = "replication IO thread stopped"

// checkReplicas checks every replica at once; the result is in c.replicas' order.
func (c *Cluster) checkReplicas(ctx context.Context, timeout time.Duration, primaryDown bool) []health {
	out := make([]health, len(c.replicas))
	var wg sync.WaitGroup
	for i, n := range c.replicas {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			out[i] = c.checkReplica(cctx, n, primaryDown)
		})
	}
	wg.Wait()
	return out
}

func (c *Cluster) applyCheck(n *Node, h health, first bool) {
	n.mu.Lock()
	prev := n.health
	if h.healthy && !prev.healthy && !first {
		h.okStreak = prev.okStreak + 1
		if h.okStreak < 2 {
			h.healthy, h.reason = false, "recovering"
		}
	}
	n.health = h
	n.mu.Unlock()
	c.metrics.lag.WithLabelValues(n.Name).Set(h.lag.Seconds())
	c.metrics.healthy.WithLabelValues(n.Name).Set(boolFloat(h.healthy))
	if prev.healthy != h.healthy && (!first || !h.healthy) {
		c.log.Warn("replica rotation changed", "node", n.Name, "healthy", h.healthy, "reason", h.reason)
	}
}

// markDown takes a replica out of rotation at once, e.g. after a connection
// error while serving a read; the checker brings it back.
func (c *Cluster) markDown(n *Node, reason string) {
	n.mu.Lock()
	was := n.health.healthy
	n.health.healthy, n.health.reason, n.health.okStreak = false, reason, 0
	n.mu.Unlock()
	c.metrics.healthy.WithLabelValues(n.Name).Set(0)
	if was {
		c.log.Warn("replica taken out of rotation", "node", n.Name, "reason", reason)
	}
	c.refreshHealthy()
}

// refreshHealthy publishes the list of replicas in rotation for the routing
// fast path (one atomic load per request).
func (c *Cluster) refreshHealthy() {
	var in []*Node
	for _, n := range c.replicas {
		n.mu.Lock()
		if n.health.healthy {
			in = append(in, n)
		}
		n.mu.Unlock()
	}
	c.healthy.Store(&in)
}

// runHealth checks every HEALTH_INTERVAL until ctx ends.
func (c *Cluster) runHealth(ctx context.Context) {
	t := time.NewTicker(c.opts.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.checkAll(ctx, false)
		}
	}
}

func shortError(err error) string {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time"
	}
	s := err.Error()
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
