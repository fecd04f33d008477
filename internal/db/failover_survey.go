package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// survey is what the replication commands learn from every configured node
// before they change anything: which nodes answer, which is writable, what
// each has received and applied. Commands decide from it, never from the
// order of DATABASE_URL and DATABASE_REPLICA_URLS alone: after a failover the
// first URL is not the primary any more.
type survey struct {
	rc     ReplicationConfig
	flavor Flavor
	nodes  []*surveyed
}

// surveyed is one node as a command sees it, over an administrative connection.
type surveyed struct {
	Name string // the configured name: "primary" for DATABASE_URL, "replica-N" after it
	Addr string
	cfg  *mysql.Config
	conn *sql.DB // nil when unreachable
	Err  error

	ReadOnly bool
	Replica  ReplicaState
	// Binlog is the node's binary log position (gtid_binlog_pos; MySQL
	// gtid_executed); State is gtid_binlog_state (MariaDB: the last GTID of
	// every domain and server, which tells a diverged history apart).
	Binlog, State string
	// Applied is the replicated position it has applied (gtid_slave_pos).
	Applied string
	// SemiSync is the node's semi-synchronous state (see semiSyncState).
	SemiSync semiSyncState
}

func (n *surveyed) reachable() bool { return n.conn != nil }

// label names a node for sentences: "replica-1 (127.0.0.1:3317)".
func (n *surveyed) label() string { return n.Name + " (" + n.Addr + ")" }

// takeSurvey connects to every node at once and reads its state. Close it.
func takeSurvey(ctx context.Context, rc ReplicationConfig) (*survey, error) {
	if err := rc.validate(false); err != nil {
		return nil, err
	}
	s := &survey{rc: rc, flavor: MariaDB}
	for i, cfg := range append([]*mysql.Config{rc.Primary}, rc.Replicas...) {
		s.nodes = append(s.nodes, &surveyed{Name: memberName(i), Addr: cfg.Addr, cfg: cfg})
	}
	var wg sync.WaitGroup
	for _, n := range s.nodes {
		wg.Go(func() {
			nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			n.Err = s.read(nctx, n)
			if n.Err != nil {
				n.Err = scrub(n.Err, rc.AdminPassword)
			}
		})
	}
	wg.Wait()
	for _, n := range s.nodes {
		if n.reachable() {
			if f, err := flavorOf(ctx, n.conn); err == nil {
				s.flavor = f
				break
			}
		}
	}
	return s, nil
}

// memberName is the configured name of node i (0 is DATABASE_URL's).
func memberName(i int) string {
	if i == 0 {
		return "primary"
	}
	return fmt.Sprintf("replica-%d", i)
}

func (s *survey) read(ctx context.Context, n *surveyed) error {
	conn, err := openAdmin(ctx, s.rc.adminDSN(n.cfg))
	if err != nil {
		return err
	}
	f, err := flavorOf(ctx, conn)
	if err == nil {
		err = s.readState(ctx, conn, f, n)
	}
	if err != nil {
		conn.Close()
		return err
	}
	n.conn = conn
	return nil
}

// refresh re-reads one node's state (after the command changed it).
func (s *survey) refresh(ctx context.Context, n *surveyed) error {
	if !n.reachable() {
		return n.Err
	}
	return s.readState(ctx, n.conn, s.flavor, n)
}

func (s *survey) readState(ctx context.Context, conn *sql.DB, f Flavor, n *surveyed) error {
	if err := conn.QueryRowContext(ctx, "SELECT @@GLOBAL.read_only").Scan(&n.ReadOnly); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, primaryPositionSQL(f)).Scan(&n.Binlog); err != nil {
		return err
	}
	n.Binlog = strings.ReplaceAll(n.Binlog, "\n", "")
	if f == MariaDB {
		if err := conn.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_binlog_state, @@GLOBAL.gtid_slave_pos").Scan(&n.State, &n.Applied); err != nil {
			return err
		}
	} else {
		n.State, n.Applied = n.Binlog, n.Binlog
	}
	rs, err := readReplicaState(ctx, conn, f)
	if err != nil {
		return err
	}
	n.Replica = rs
	n.SemiSync = readSemiSync(ctx, conn, f)
	return nil
}

// Close closes every administrative connection.
func (s *survey) Close() {
	for _, n := range s.nodes {
		if n.conn != nil {
			n.conn.Close()
		}
	}
}

// writable lists the reachable nodes that accept writes.
func (s *survey) writable() []*surveyed {
	var out []*surveyed
	for _, n := range s.nodes {
		if n.reachable() && !n.ReadOnly {
			out = append(out, n)
		}
	}
	return out
}

// find resolves a node given on the command line: its configured name
// ("replica-1"), its address ("127.0.0.1:3317") or its port ("3317").
func (s *survey) find(name string) (*surveyed, error) {
	for _, n := range s.nodes {
		if n.Name == name || n.Addr == name || strings.HasSuffix(n.Addr, ":"+name) {
			return n, nil
		}
	}
	var known []string
	for _, n := range s.nodes {
		known = append(known, n.label())
	}
	return nil, fmt.Errorf("no node %q: the nodes are %s", name, strings.Join(known, ", "))
}

// primary is the one writable node. With none writable (a cluster restarted
// with every server read-only, as devdb.sh and the compose file start them),
// it is the node that replicates from no one and holds every other such
// node's history, DATABASE_URL's node first on a tie (a new cluster).
// initial (replication setup) also accepts several writable nodes when one
// holds every other's history (new servers start writable), never when two
// have diverged: that is a split brain for a person to resolve.
func (s *survey) primary(initial bool) (*surveyed, error) {
	cands := s.writable()
	if len(cands) > 1 && !initial {
		return nil, fmt.Errorf("%s and %s are both writable: two primaries; make one read-only (SET GLOBAL read_only=1) before anything else", cands[0].label(), cands[1].label())
	}
	if len(cands) == 0 {
		for _, n := range s.nodes {
			if n.reachable() && !n.Replica.Configured {
				cands = append(cands, n)
			}
		}
	}
	if len(cands) == 0 {
		return nil, errors.New("no node is writable and every reachable node replicates from another: the primary is down (api replication failover)")
	}
	// DATABASE_URL's node is first in s.nodes, so it wins a tie.
	for _, cand := range cands {
		all := true
		for _, o := range cands {
			if d, _ := s.diverged(o, cand); d {
				all = false
			}
		}
		if all {
			return cand, nil
		}
	}
	return nil, fmt.Errorf("%s and %s both act as primary and their histories have diverged: choose the primary by hand", cands[0].label(), cands[1].label())
}

// sourceAddr is host and port at which replicas reach n: REPLICATION_PRIMARY_HOST
// for DATABASE_URL's node when set, else the node's address.
func (s *survey) sourceAddr(n *surveyed) (string, int, error) {
	override := ""
	if n == s.nodes[0] {
		override = s.rc.PrimaryHost
	}
	return splitHostPort(override, n.Addr)
}

// follow makes n replicate from src with GTID positioning. With ownPos (a
// former primary, which has never replicated) it starts from its own binary
// log position, so it asks src for exactly the transactions it lacks.
func (s *survey) follow(ctx context.Context, n, src *surveyed, ownPos bool) error {
	host, port, err := s.sourceAddr(src)
	if err != nil {
		return err
	}
	stmts := []string{"SET GLOBAL read_only = 1"}
	if n.Replica.Configured {
		stmts = append(stmts, stopReplicaSQL(s.flavor))
	}
	if s.flavor == MariaDB && ownPos {
		stmts = append(stmts, "SET GLOBAL gtid_slave_pos = "+quote(n.Binlog))
	}
	stmts = append(stmts, changeSourceSQL(s.flavor, host, port, s.rc.ReplUser, s.rc.ReplPassword, s.rc.TLS), startReplicaSQL(s.flavor))
	for _, q := range stmts {
		if _, err := n.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", n.label(), scrub(err, s.rc.ReplPassword))
		}
	}
	return nil
}

// detach makes n a replica of no one (before it is made writable).
func (s *survey) detach(ctx context.Context, n *surveyed) error {
	stmts := []string{stopReplicaSQL(s.flavor), "RESET SLAVE ALL"}
	if s.flavor == MySQL {
		stmts[1] = "RESET REPLICA ALL"
	}
	for _, q := range stmts {
		if _, err := n.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %s: %w", n.label(), q, err)
		}
	}
	n.Replica = ReplicaState{}
	return nil
}

// waitApplied blocks until n has applied pos, or timeout.
func (s *survey) waitApplied(ctx context.Context, n *surveyed, pos string, timeout time.Duration) error {
	if pos == "" {
		return nil
	}
	var res sql.NullInt64
	if err := n.conn.QueryRowContext(ctx, waitForGTIDSQL(s.flavor), pos, timeout.Seconds()).Scan(&res); err != nil {
		return fmt.Errorf("%s: waiting for %s: %w", n.label(), pos, err)
	}
	if !res.Valid || res.Int64 != 0 {
		return fmt.Errorf("%s did not apply %s within %s", n.label(), pos, timeout)
	}
	return nil
}

// waitSemiSyncClient waits (up to timeout) until a replica acknowledges
// semi-synchronously to n, so n's first commit as primary does not stall for
// SEMI_SYNC_TIMEOUT and fall back to asynchronous replication.
func (s *survey) waitSemiSyncClient(ctx context.Context, n *surveyed, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if st := readSemiSync(ctx, n.conn, s.flavor); st.Clients > 0 || !st.Enabled {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// diverged reports whether n holds a transaction src never had (an old
// primary's commit that no replica received). MariaDB compares
// gtid_binlog_state, the last sequence number of every domain and server, so
// 0-1-101 on n and 0-2-101 on src are told apart.
func (s *survey) diverged(n, src *surveyed) (bool, string) {
	if s.flavor == MySQL {
		ok, err := mysqlGTIDContains(src.Binlog, n.Binlog)
		return err != nil || !ok, n.Binlog
	}
	have := map[string]uint64{}
	for _, g := range splitGTIDs(src.State) {
		have[g.domain+"-"+g.server] = g.seq
	}
	for _, g := range splitGTIDs(n.Binlog) {
		if have[g.domain+"-"+g.server] < g.seq {
			return true, g.text
		}
	}
	return false, ""
}

type gtidEntry struct {
	domain, server, text string
	seq                  uint64
}

func splitGTIDs(pos string) []gtidEntry {
	var out []gtidEntry
	for _, part := range strings.Split(pos, ",") {
		part = strings.TrimSpace(part)
		f := strings.Split(part, "-")
		if len(f) != 3 {
			continue
		}
		seq, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			continue
		}
		out = append(out, gtidEntry{domain: f[0], server: f[1], seq: seq, text: part})
	}
	return out
}
