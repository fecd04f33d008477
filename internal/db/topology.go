package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

// member is one configured database server, whatever its role now: the
// nodes are every URL of DATABASE_URL and DATABASE_REPLICA_URLS, and the one
// writable node is the primary.
type member struct {
	name, addr string
	connector  driver.Connector // write connections (the app account, write settings)
	check      *sql.DB          // the checker's pool: the replica's own, or a small one

	// The checker's last view, under topology.mu.
	reachable, readOnly bool
	identity            string // server identity, so one server listed twice counts once
	semi                semiSyncState
	reason              string
}

// writerTarget is where the primary pool connects now. gen changes with
// every change, which retires the pool's older connections.
type writerTarget struct {
	member   *member
	gen      uint64
	conflict bool // two writable nodes: writes are refused
}

// PrimaryChange is one change of primary the API saw.
type PrimaryChange struct {
	At   time.Time `json:"at"`
	From string    `json:"from"`
	To   string    `json:"to"`
	// Failover is true when the old primary did not answer (a failover),
	// false when it was up and read-only (a switchover).
	Failover bool `json:"failover"`
	// WritesRefusedSeconds is how long no writable primary was seen before
	// the change: writes answered 503 meanwhile.
	WritesRefusedSeconds float64 `json:"writes_refused_seconds"`
	// By is "this instance" when this API instance promoted the node,
	// "observed" when it followed someone else's change.
	By string `json:"by"`
}

// topology is the checker's view of which node is the primary.
type topology struct {
	mu        sync.Mutex
	members   []*member
	outSince  time.Time // the primary was first seen not writable
	downSince time.Time // the primary was first seen unreachable
	last      *PrimaryChange
	semi      string // the primary's semi-sync state at the last check
	warned    time.Time
	changes   atomic.Int64
	failovers atomic.Int64
	// promoting is set while this instance runs an automatic failover.
	promoting atomic.Bool
	// selfPromoted names the node this instance promoted last, so the
	// change it then observes is attributed to it.
	selfPromoted string
}

// openMembers makes a member of every configured node. Replicas share their
// read pool with the checker; DATABASE_URL's node gets a small pool of its
// own, since the primary pool follows whichever node is the primary.
func (c *Cluster) openMembers(opts Options) error {
	cfgs := append([]*mysql.Config{opts.Primary}, opts.Replicas...)
	for i, cfg := range cfgs {
		wc, err := mysql.NewConnector(writeConfig(opts, cfg))
		if err != nil {
			return fmt.Errorf("%s: %w", memberName(i), err)
		}
		m := &member{name: memberName(i), addr: cfg.Addr, connector: wc}
		if i == 0 {
			cc, err := mysql.NewConnector(cfg)
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			m.check = sql.OpenDB(cc)
			m.check.SetMaxOpenConns(4)
			m.check.SetMaxIdleConns(1)
		} else {
			m.check = c.replicas[i-1].DB
		}
		c.topo.members = append(c.topo.members, m)
	}
	c.writer.Store(&writerTarget{member: c.topo.members[0], gen: 1})
	return nil
}

// checkTopology reads every node's read_only at once and moves the primary
// pool to the one writable node. It reports whether the primary answered.
func (c *Cluster) checkTopology(ctx context.Context, timeout time.Duration) (primaryUp bool) {
	type seen struct {
		ok, ro, semiOK bool
		identity       string
		semi           semiSyncState
		reason         string
	}
	views := make([]seen, len(c.topo.members))
	var wg sync.WaitGroup
	for i, m := range c.topo.members {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			v := &views[i]
			err := m.check.QueryRowContext(cctx, "SELECT @@GLOBAL.read_only, CONCAT(@@hostname, ':', @@port, ':', @@datadir)").Scan(&v.ro, &v.identity)
			if err != nil {
				v.reason = "unreachable: " + shortError(err)
				return
			}
			v.ok = true
			if !v.ro {
				v.semi, v.semiOK = tryReadSemiSync(cctx, m.check, c.flavor)
			}
		})
	}
	wg.Wait()

	t := &c.topo
	t.mu.Lock()
	defer t.mu.Unlock()
	var writable []*member
	ids := map[string]bool{}
	for i, m := range t.members {
		v := views[i]
		m.reachable, m.readOnly, m.identity, m.reason = v.ok, v.ro, v.identity, v.reason
		if v.semiOK {
			m.semi = v.semi
		}
		if v.ok && !v.ro && !ids[v.identity] {
			ids[v.identity] = true
			writable = append(writable, m)
		}
	}
	now := time.Now()
	cur := c.writer.Load()
	c.metrics.writable.Set(float64(len(writable)))
	switch {
	case len(writable) > 1:
		if !cur.conflict {
			c.writer.Store(&writerTarget{member: cur.member, gen: cur.gen + 1, conflict: true})
		}
		if !cur.conflict || now.Sub(t.warned) > 10*time.Second {
			t.warned = now
			c.log.Error("two database nodes are writable at once: refusing every write until one is read-only",
				"nodes", writable[0].name+" ("+writable[0].addr+"), "+writable[1].name+" ("+writable[1].addr+")")
		}
		if t.outSince.IsZero() {
			t.outSince = now
		}
	case len(writable) == 1:
		w := writable[0]
		if w != cur.member || cur.conflict {
			c.writer.Store(&writerTarget{member: w, gen: cur.gen + 1})
		}
		if w != cur.member {
			c.recordChange(cur.member, w, now)
		} else if cur.conflict {
			c.log.Warn("one database node is writable again: writes resume", "primary", w.name)
		}
		t.outSince, t.downSince = time.Time{}, time.Time{}
		c.setSemiSync(w.semi.String())
	default:
		if cur.conflict {
			c.writer.Store(&writerTarget{member: cur.member, gen: cur.gen + 1})
		}
		if t.outSince.IsZero() {
			t.outSince = now
		}
		if !cur.member.reachable && t.downSince.IsZero() {
			t.downSince = now
		} else if cur.member.reachable {
			t.downSince = time.Time{}
		}
		c.maybeFailover(ctx, now)
	}
	return c.writer.Load().member.reachable
}

// recordChange notes a new primary; under topology.mu.
func (c *Cluster) recordChange(from, to *member, now time.Time) {
	t := &c.topo
	ch := &PrimaryChange{At: now.UTC(), From: from.name + " (" + from.addr + ")", To: to.name + " (" + to.addr + ")",
		Failover: !from.reachable, By: "observed"}
	if !t.outSince.IsZero() {
		ch.WritesRefusedSeconds = now.Sub(t.outSince).Seconds()
	}
	if t.selfPromoted == to.name {
		ch.By, t.selfPromoted = "this instance", ""
	}
	t.last = ch
	t.changes.Add(1)
	c.metrics.primaryChanges.Inc()
	if ch.Failover {
		t.failovers.Add(1)
		c.metrics.failovers.Inc()
	}
	c.log.Warn("the primary changed: writes go to the new one", "from", ch.From, "to", ch.To,
		"failover", ch.Failover, "writes_refused_seconds", ch.WritesRefusedSeconds, "by", ch.By)
}

// setSemiSync records the primary's semi-sync state, logging a change.
func (c *Cluster) setSemiSync(st string) {
	if st == c.topo.semi {
		return
	}
	if c.topo.semi != "" || st != SemiSyncOn {
		level := c.log.Info
		if st != SemiSyncOn {
			level = c.log.Warn
		}
		level("semi-synchronous replication changed", "from", c.topo.semi, "to", st)
	}
	c.topo.semi = st
	c.metrics.semiSync.Set(boolFloat(st == SemiSyncOn))
}

// isPrimaryNode reports whether replica node n is the current primary.
func (c *Cluster) isPrimaryNode(n *Node) bool {
	t := c.writer.Load()
	return t != nil && t.member.check == n.DB
}

// TopologyMember is one node as the health checker last saw it.
type TopologyMember struct {
	Name      string `json:"name"`
	Addr      string `json:"address"`
	Role      string `json:"role"` // primary, replica, unreachable
	Reachable bool   `json:"reachable"`
	ReadOnly  bool   `json:"read_only"`
	Reason    string `json:"reason,omitempty"`
}

// Topology is which node is the primary, how replication acknowledges, and
// what changed last.
type Topology struct {
	Primary        string           `json:"primary"` // "" while no single node is writable
	PrimaryAddr    string           `json:"primary_address"`
	SplitBrain     bool             `json:"split_brain"`
	SemiSync       string           `json:"semi_sync"`
	Failover       string           `json:"failover"`
	Members        []TopologyMember `json:"members"`
	LastChange     *PrimaryChange   `json:"last_change"`
	PrimaryChanges int64            `json:"primary_changes"`
	Failovers      int64            `json:"failovers"`
}

// Topology describes the nodes' roles as the health checker last saw them.
func (c *Cluster) Topology() Topology {
	mode := "manual"
	if c.opts.FailoverAuto {
		mode = "auto"
	}
	t := &c.topo
	t.mu.Lock()
	defer t.mu.Unlock()
	w := c.writer.Load()
	out := Topology{SplitBrain: w.conflict, SemiSync: t.semi, Failover: mode, LastChange: t.last,
		PrimaryChanges: t.changes.Load(), Failovers: t.failovers.Load(), Members: []TopologyMember{}}
	if out.SemiSync == "" {
		out.SemiSync = "unknown"
	}
	if !w.conflict && w.member.reachable && !w.member.readOnly {
		out.Primary, out.PrimaryAddr = w.member.name, w.member.addr
	}
	for _, m := range t.members {
		role := "replica"
		switch {
		case !m.reachable:
			role = "unreachable"
		case !m.readOnly:
			role = "primary"
		}
		out.Members = append(out.Members, TopologyMember{Name: m.name, Addr: m.addr, Role: role, Reachable: m.reachable, ReadOnly: m.readOnly, Reason: m.reason})
	}
	return out
}

// PrimaryAddr is the address the primary pool connects to now.
func (c *Cluster) PrimaryAddr() string {
	if t := c.writer.Load(); t != nil {
		return t.member.addr
	}
	return c.primary.Addr
}
