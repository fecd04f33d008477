package db

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// failoverLock is the GET_LOCK name API instances compete for before an
// automatic failover.
const failoverLock = "teachtrack_failover"

// maybeFailover starts an automatic failover (FAILOVER=auto) once the primary
// has been unreachable for FAILOVER_AFTER with no node writable. Called with
// topology.mu held; the failover itself runs in the background.
func (c *Cluster) maybeFailover(ctx context.Context, now time.Time) {
	t := &c.topo
	if !c.opts.FailoverAuto || t.downSince.IsZero() || now.Sub(t.downSince) < c.opts.FailoverAfter {
		return
	}
	if !t.promoting.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer t.promoting.Store(false)
		c.autoFailover(ctx)
	}()
}

// autoFailover promotes a replica if this instance holds the failover lock on
// a majority of all configured servers (as MaxScale's cooperative monitoring
// does): two instances can't both hold a majority, so they never promote two
// replicas. Failover itself refuses once any node is writable, so an
// instance getting the lock after another's promotion does nothing.
func (c *Cluster) autoFailover(ctx context.Context) {
	release, ok := c.majorityLock(ctx)
	defer release()
	if !ok {
		c.log.Info("automatic failover: another API instance holds the failover lock; following its result")
		return
	}
	c.topo.mu.Lock()
	fellBack := c.topo.semi == SemiSyncAsync
	c.topo.mu.Unlock()
	var out strings.Builder
	fctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	res, err := Failover(fctx, c.opts.Replication, FailoverOptions{SemiSyncFellBack: fellBack}, &out)
	if err != nil {
		c.log.Warn("automatic failover not done", "reason", err.Error())
		return
	}
	c.topo.mu.Lock()
	c.topo.selfPromoted = strings.SplitN(res.To, " ", 2)[0]
	c.topo.mu.Unlock()
	c.log.Warn("automatic failover: promoted a replica", "from", res.From, "to", res.To,
		"took", res.WriteGap.String(), "steps", strings.TrimSpace(out.String()))
}

// majorityLock takes the failover lock on every server that answers and
// reports whether it holds it on more than half of all configured servers.
// release frees whatever it took.
func (c *Cluster) majorityLock(ctx context.Context) (release func(), ok bool) {
	var held []*sql.Conn
	release = func() {
		for _, conn := range held {
			rctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, _ = conn.ExecContext(rctx, "DO RELEASE_LOCK(?)", failoverLock)
			cancel()
			conn.Close()
		}
	}
	for _, m := range c.topo.members {
		lctx, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := m.check.Conn(lctx)
		if err != nil {
			cancel()
			continue
		}
		var got sql.NullInt64
		err = conn.QueryRowContext(lctx, "SELECT GET_LOCK(?, 0)", failoverLock).Scan(&got)
		cancel()
		if err != nil || !got.Valid || got.Int64 != 1 {
			conn.Close()
			continue
		}
		held = append(held, conn)
	}
	return release, len(held)*2 > len(c.topo.members)
}
