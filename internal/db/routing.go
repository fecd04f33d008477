package db

import (
	"context"
	"sync/atomic"
	"time"

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

// Read-your-writes modes (READ_YOUR_WRITES).
const (
	ModeCausal = "causal"
	ModeWindow = "window"
	ModeOff    = "off"
)

// Reasons for a routing decision, as logged and counted.
const (
	ReasonReplica          = "replica"
	ReasonStickyPrimary    = "sticky_primary"
	ReasonNoHealthyReplica = "no_healthy_replica"
	ReasonWrite            = "write"
	ReasonRetry            = "retry"
	ReasonPrimaryShare     = "primary_share" // READS_ON_PRIMARY: the primary's turn in the rotation
)

// Route is where a request was bound and why.
type Route struct {
	Node   string // "primary", "replica-1", …
	Reason string
}

// Binding is one request's database: every statement it runs goes to one node
// (writes to the primary), so a page never mixes two replicas' states and a
// write request's own SELECTs never see a stale replica.
type Binding struct {
	DB     *gorm.DB
	Route  Route
	node   *Node
	failed atomic.Bool
	cancel context.CancelFunc
}

// ReplicaFailed reports whether a statement of this read failed with a
// connection error on its replica (the request should be retried elsewhere).
func (b *Binding) ReplicaFailed() bool { return b.failed.Load() }

// Release frees the binding's resources; call it when the request ends.
func (b *Binding) Release() {
	if b.cancel != nil {
		b.cancel()
	}
}

// ForRequest binds a request to one node: the primary for writes (bounded by
// DB_WRITE_TIMEOUT); for reads, one healthy replica that has applied the
// user's last write, else the primary. also names further users whose points
// the read must honour too (an impersonation session's admin: their ban or
// sign-out must end the impersonation at once).
func (c *Cluster) ForRequest(ctx context.Context, kind Kind, userID uint64, also ...uint64) *Binding {
	if kind == Write {
		return c.bindTo(ctx, c.primary, ReasonWrite)
	}
	n, reason := c.chooseReplica(ctx, users(userID, also), nil, true)
	return c.bindTo(ctx, n, reason)
}

// ForSideReads binds the reads of a write request that don't depend on its
// own statements (the session check, an ownership check, the parts of the
// answer the write doesn't change), so the primary runs only what must happen
// there. They go to a healthy replica already known to have every consistency
// point of userID and also, which shows everything those users wrote and every
// sign-out, ban and role change that concerns them; else to the primary at
// once (a write request never waits on a replica). nil means the primary:
// the caller uses the write's own binding, under DB_WRITE_TIMEOUT. In off
// mode no points are kept, so always nil.
func (c *Cluster) ForSideReads(ctx context.Context, userID uint64, also ...uint64) *Binding {
	if c.opts.Mode == ModeOff {
		return nil
	}
	n, reason := c.chooseReplica(ctx, users(userID, also), nil, false)
	if n == c.primary {
		return nil
	}
	return c.bindTo(ctx, n, reason)
}

// users lists the non-zero ids among userID and also.
func users(userID uint64, also []uint64) []uint64 {
	out := make([]uint64, 0, 1+len(also))
	for _, id := range append([]uint64{userID}, also...) {
		if id != 0 {
			out = append(out, id)
		}
	}
	return out
}

// OnPrimary is a *gorm.DB bound to the primary with no request behind it, for
// command-line tasks (the first admin) and tests arranging data.
func (c *Cluster) OnPrimary(ctx context.Context) *gorm.DB {
	return c.gorm.WithContext(ctx).Clauses(dbresolver.Write).Session(&gorm.Session{})
}

// Retry re-binds a read whose replica failed: that replica leaves rotation and
// the read goes to another healthy replica, else the primary.
func (c *Cluster) Retry(ctx context.Context, failed *Binding, userID uint64, also ...uint64) *Binding {
	failed.Release()
	c.MarkFailed(failed)
	n, _ := c.chooseReplica(ctx, users(userID, also), failed.node, true)
	return c.bindTo(ctx, n, ReasonRetry)
}

// MarkFailed takes the replica of a binding whose read failed with a
// connection error out of rotation (the checker brings it back).
func (c *Cluster) MarkFailed(b *Binding) {
	if b.node != c.primary {
		c.markDown(b.node, "connection error while serving a read")
	}
}

func (c *Cluster) bindTo(ctx context.Context, n *Node, reason string) *Binding {
	b := &Binding{node: n, Route: Route{Node: n.Name, Reason: reason}}
	if n == c.primary && reason == ReasonWrite && c.opts.WriteTimeout > 0 {
		// A write never hangs on a dead primary: it fails with ErrUnavailable.
		ctx, b.cancel = context.WithTimeout(ctx, c.opts.WriteTimeout)
	}
	ctx = context.WithValue(ctx, bindingKey{}, b)
	// Session makes the bound *gorm.DB safe to reuse: every query starts from
	// the binding, not from the previous query's conditions.
	if n == c.primary {
		b.DB = c.gorm.WithContext(ctx).Clauses(dbresolver.Write).Session(&gorm.Session{})
	} else {
		b.DB = c.gorm.WithContext(ctx).Clauses(dbresolver.Use(n.resolver)).Session(&gorm.Session{})
	}
	c.metrics.decisions.WithLabelValues(reason).Inc()
	return b
}

// chooseReplica applies the read-your-writes mode to pick a node for a read
// by userIDs (usually one user), never choosing exclude. A node qualifies when
// it has applied every one of their consistency points; with wait false none
// is waited for (the primary serves when no replica is known to have them).
func (c *Cluster) chooseReplica(ctx context.Context, userIDs []uint64, exclude *Node, wait bool) (*Node, string) {
	healthy := c.inRotation(exclude)
	if len(healthy) == 0 {
		return c.primary, ReasonNoHealthyReplica
	}
	if c.opts.ReadsOnPrimary && exclude != c.primary {
		// The primary has every write, so it is always "caught up".
		healthy = append(healthy, c.primary)
	}
	if len(userIDs) == 0 || c.opts.Mode == ModeOff {
		return c.pickRead(healthy)
	}
	var gtids []string
	for _, userID := range userIDs {
		p, ok, err := c.point(ctx, userID)
		switch {
		case err != nil:
			// The shared store is unreachable: we can't know what this user wrote,
			// so the primary serves them rather than a possibly stale replica.
			c.warnStore("consistency store unavailable: reading from the primary", userID, err)
			return c.primary, ReasonStickyPrimary
		case !ok:
			continue
		}
		if c.opts.Mode == ModeWindow || p.GTID == "" {
			if time.Since(p.At) < c.opts.StickyWindow {
				return c.primary, ReasonStickyPrimary
			}
			c.forget(ctx, userID)
			continue
		}
		// Causal: forget a point every healthy replica has; keep the rest.
		all := true
		for _, n := range healthy {
			if n != c.primary && !n.hasApplied(c.flavor, p.GTID) {
				all = false
				break
			}
		}
		if all {
			if exclude == nil {
				c.forget(ctx, userID)
			}
			continue
		}
		gtids = append(gtids, p.GTID)
	}
	if len(gtids) == 0 {
		return c.pickRead(healthy)
	}
	// Any healthy replica known to have every point will do.
	var caughtUp []*Node
	for _, n := range healthy {
		if n == c.primary || n.hasAppliedAll(c.flavor, gtids) {
			caughtUp = append(caughtUp, n)
		}
	}
	if len(caughtUp) > 0 {
		return c.pickRead(caughtUp)
	}
	// None is known to have them: the checker's positions are up to one
	// interval old, while replication here takes about a millisecond. Ask a
	// replica taken in turn, not the one whose position is best known: that
	// is the one asked last, so every such read would go to it while the
	// others idle (it took 69% of the reads in a bench run). A replica whose
	// wait timed out within the last health interval is not waited on again
	// while another can be, nor at all meanwhile: a replica that far behind
	// would make every read of the user wait CAUSAL_WAIT in vain.
	n, ready := c.nextToAsk(healthy)
	if !wait || !ready {
		// Where is it now (one quick read, no waiting)?
		if n != c.primary && c.refresh(ctx, n) && n.hasAppliedAll(c.flavor, gtids) {
			return n, ReasonReplica
		}
		return c.primary, ReasonStickyPrimary
	}
	for _, g := range gtids {
		if !c.waitFor(ctx, n, g) {
			n.behindUntil.Store(time.Now().Add(c.opts.HealthInterval).UnixNano())
			return c.primary, ReasonStickyPrimary
		}
	}
	return n, ReasonReplica
}

// nextToAsk picks, in turn, the replica among nodes to ask for a point no
// replica is known to have: one not found behind recently (ready), else any.
func (c *Cluster) nextToAsk(nodes []*Node) (n *Node, ready bool) {
	now := time.Now().UnixNano()
	var fresh, all []*Node
	for _, n := range nodes {
		if n == c.primary {
			continue
		}
		all = append(all, n)
		if n.behindUntil.Load() <= now {
			fresh = append(fresh, n)
		}
	}
	switch {
	case len(fresh) > 0:
		return c.pick(fresh), true
	case len(all) > 0:
		return c.pick(all), false
	}
	return c.primary, false
}

// waitFor blocks up to CAUSAL_WAIT until n has applied pos. Applied positions
// are server-wide, so any connection of n's pool serves the read afterwards.
func (c *Cluster) waitFor(ctx context.Context, n *Node, pos string) bool {
	if c.opts.CausalWait <= 0 {
		return false
	}
	wctx, cancel := context.WithTimeout(ctx, c.opts.CausalWait+time.Second)
	defer cancel()
	var res *int64
	if err := n.DB.QueryRowContext(wctx, waitForGTIDSQL(c.flavor), pos, c.opts.CausalWait.Seconds()).Scan(&res); err != nil {
		return false
	}
	if res == nil || *res != 0 {
		return false
	}
	n.advance(c.flavor, pos)
	return true
}

// refresh reads n's applied position now and records it; false when n
// didn't answer in time (the caller then uses the primary).
func (c *Cluster) refresh(ctx context.Context, n *Node) bool {
	rctx, cancel := context.WithTimeout(ctx, max(c.opts.CausalWait, 10*time.Millisecond))
	defer cancel()
	var pos string
	if err := n.DB.QueryRowContext(rctx, replicaPositionSQL(c.flavor)).Scan(&pos); err != nil {
		return false
	}
	n.advance(c.flavor, pos)
	return true
}

func (c *Cluster) inRotation(exclude *Node) []*Node {
	all := *c.healthy.Load()
	if exclude == nil {
		return all
	}
	out := make([]*Node, 0, len(all))
	for _, n := range all {
		if n != exclude {
			out = append(out, n)
		}
	}
	return out
}

// pickRead picks a node for a read among nodes and says why.
func (c *Cluster) pickRead(nodes []*Node) (*Node, string) {
	n := c.pick(nodes)
	if n == c.primary {
		return n, ReasonPrimaryShare
	}
	return n, ReasonReplica
}

// pick balances reads over nodes with an atomic counter (race-free, unlike
// dbresolver's RoundRobinPolicy).
func (c *Cluster) pick(nodes []*Node) *Node {
	if len(nodes) == 1 {
		return nodes[0]
	}
	return nodes[int((c.next.Add(1)-1)%uint64(len(nodes)))]
}

func (c *Cluster) point(ctx context.Context, userID uint64) (Point, bool, error) {
	if c.fallback != nil {
		// Points recorded while the shared store was down live here meanwhile.
		if p, ok, _ := c.fallback.Get(ctx, userID); ok && time.Since(p.At) < c.opts.StickyWindow {
			return p, true, nil
		}
	}
	return c.store.Get(ctx, userID)
}

func (c *Cluster) forget(ctx context.Context, userID uint64) {
	if err := c.store.Delete(ctx, userID); err != nil {
		c.log.Debug("forgetting consistency point", "user_id", userID, "error", err.Error())
	}
}

// AfterWrite records the consistency point of userIDs after a successful
// write: the primary's GTID position now, which includes that write's commit.
// Besides the writer, it names the users whose access the write changed (a
// ban, a role change, a deletion, a revoked session): their next reads, on
// any API instance sharing the store, then check their session on a node that
// has the change, so it applies at once rather than after the replicas' lag.
func (c *Cluster) AfterWrite(ctx context.Context, userIDs ...uint64) {
	userIDs = users(0, userIDs)
	if len(userIDs) == 0 || c.opts.Mode == ModeOff || len(c.replicas) == 0 {
		return
	}
	p := Point{At: time.Now()}
	if c.opts.Mode == ModeCausal {
		qctx, cancel := context.WithTimeout(ctx, time.Second)
		err := c.primary.DB.QueryRowContext(qctx, primaryPositionSQL(c.flavor)).Scan(&p.GTID)
		cancel()
		if err != nil {
			// Without a position the window rule keeps this user on the primary.
			c.log.Warn("reading the primary's GTID position: using the sticky window", "error", err.Error())
			p.GTID = ""
		}
	}
	if err := c.store.SetMany(ctx, userIDs, p); err != nil {
		c.warnStore("consistency store unavailable: user pinned to the primary for the sticky window", userIDs[0], err)
		if c.fallback != nil {
			_ = c.fallback.SetMany(ctx, userIDs, Point{At: p.At})
		}
	}
}

// warnStore logs a consistency-store failure at most once every 10 s: while
// Redis is down every request would otherwise log one.
func (c *Cluster) warnStore(msg string, userID uint64, err error) {
	now := time.Now().UnixNano()
	last := c.storeWarned.Load()
	if now-last < int64(10*time.Second) || !c.storeWarned.CompareAndSwap(last, now) {
		return
	}
	c.log.Warn(msg, "user_id", userID, "error", err.Error())
}

// hasApplied reports whether the checker last saw n at or past pos.
func (n *Node) hasApplied(f Flavor, pos string) bool {
	n.mu.Lock()
	have := n.health.gtid
	n.mu.Unlock()
	ok, err := gtidContains(f, have, pos)
	return err == nil && ok
}

// hasAppliedAll reports whether the checker last saw n at or past every pos.
func (n *Node) hasAppliedAll(f Flavor, positions []string) bool {
	for _, pos := range positions {
		if !n.hasApplied(f, pos) {
			return false
		}
	}
	return true
}

// advance records that n has reached pos (learned from a successful wait).
func (n *Node) advance(f Flavor, pos string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if ok, err := gtidContains(f, n.health.gtid, pos); err == nil && !ok {
		n.health.gtid = pos
	}
}
