package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// ReplicationConfig is what `api replication setup|status` needs: where the
// nodes are (the application's URLs), and administrative credentials that are
// kept apart from the application's.
type ReplicationConfig struct {
	Primary       *mysql.Config
	Replicas      []*mysql.Config
	AdminUser     string
	AdminPassword string
	ReplUser      string
	ReplPassword  string
	// PrimaryHost is host[:port] at which replicas reach the primary; empty means
	// the primary's address from its URL.
	PrimaryHost string
	// TLS makes replicas connect to the primary over TLS, and the replication
	// account require it (REPLICATION_TLS; the primary needs a certificate).
	TLS bool
	// Timeout bounds the wait for replicas to catch up.
	Timeout time.Duration
	// SemiSyncTimeout is how long a commit waits for a replica's
	// acknowledgement before the primary falls back to asynchronous replication.
	SemiSyncTimeout time.Duration
}

// adminDSN is node's address with the administrative credentials and no
// database, keeping the node's TLS settings (a DSN string would lose them).
func (rc ReplicationConfig) adminDSN(node *mysql.Config) *mysql.Config {
	c := node.Clone()
	c.User, c.Passwd, c.DBName = rc.AdminUser, rc.AdminPassword, ""
	c.Timeout = 3 * time.Second
	c.ReadTimeout = 0
	c.MultiStatements = false
	return c
}

func (rc ReplicationConfig) validate(needRepl bool) error {
	switch {
	case rc.Primary == nil:
		return errors.New("DATABASE_URL is required")
	case rc.AdminUser == "":
		return errors.New("DB_ADMIN_USER is required: replication is managed with administrative credentials, never the application's")
	case needRepl && rc.ReplPassword == "":
		return errors.New("REPLICATION_PASSWORD is required")
	}
	return nil
}

func openAdmin(ctx context.Context, cfg *mysql.Config) (*sql.DB, error) {
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	conn := sql.OpenDB(connector)
	conn.SetMaxOpenConns(2)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func flavorOf(ctx context.Context, conn *sql.DB) (Flavor, error) {
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return 0, err
	}
	return DetectFlavor(version)
}

// SetupReplication makes every other node follow the primary with GTID
// auto-positioning and semi-synchronous acknowledgement, makes the primary
// writable, and waits until each has caught up. The primary is found, not
// assumed (see survey.primary): after a failover it is no longer DATABASE_URL's
// node, and setup must not hand the role back. It is idempotent: a replica
// already following the primary with both threads running is left as it is.
// Passwords are never written to out.
func SetupReplication(ctx context.Context, rc ReplicationConfig, out io.Writer) error {
	if err := rc.validate(true); err != nil {
		return err
	}
	if rc.Timeout == 0 {
		rc.Timeout = 60 * time.Second
	}
	if rc.SemiSyncTimeout == 0 {
		rc.SemiSyncTimeout = time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, rc.Timeout)
	defer cancel()
	s, err := takeSurvey(ctx, rc)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, n := range s.nodes {
		if !n.reachable() {
			return fmt.Errorf("%s %s: %w", n.Name, n.Addr, n.Err)
		}
	}
	primary, err := s.primary(true)
	if err != nil {
		return err
	}
	flavor := s.flavor
	for _, n := range s.nodes {
		if f, err := flavorOf(ctx, n.conn); err == nil && f != flavor {
			return fmt.Errorf("%s %s: is %s but the primary is %s", n.Name, n.Addr, f, flavor)
		}
	}
	var logBin int
	if err := primary.conn.QueryRowContext(ctx, "SELECT @@GLOBAL.log_bin").Scan(&logBin); err != nil {
		return fmt.Errorf("primary %s: %w", primary.Addr, err)
	}
	if logBin != 1 {
		return fmt.Errorf("primary %s has the binary log off: start it with --log-bin", primary.Addr)
	}
	if err := ensureReplUser(ctx, primary.conn, flavor, rc.ReplUser, rc.ReplPassword, rc.TLS); err != nil {
		return fmt.Errorf("primary %s: creating replication user: %w", primary.Addr, err)
	}
	fmt.Fprintf(out, "%s %s (%s): primary; replication user %s ready\n", primary.Name, primary.Addr, flavor, rc.ReplUser)
	for _, n := range s.nodes {
		if err := enableSemiSync(ctx, n.conn, flavor, rc.SemiSyncTimeout); err != nil {
			return fmt.Errorf("%s %s: turning on semi-synchronous replication: %w", n.Name, n.Addr, err)
		}
	}
	for _, n := range s.nodes {
		if n == primary {
			continue
		}
		if err := setupReplica(ctx, s, n, primary, out); err != nil {
			return fmt.Errorf("%s %s: %w", n.Name, n.Addr, err)
		}
	}
	if primary.ReadOnly {
		if _, err := primary.conn.ExecContext(ctx, "SET GLOBAL read_only = 0"); err != nil {
			return fmt.Errorf("primary %s: making it writable: %w", primary.Addr, err)
		}
		fmt.Fprintf(out, "%s %s: writable\n", primary.Name, primary.Addr)
	}
	// Catching up is measured against the primary's position now, after the user exists.
	var pos string
	if err := primary.conn.QueryRowContext(ctx, primaryPositionSQL(flavor)).Scan(&pos); err != nil {
		return fmt.Errorf("primary %s: reading GTID position: %w", primary.Addr, err)
	}
	for _, n := range s.nodes {
		if n == primary {
			continue
		}
		if err := waitCaughtUp(ctx, n.conn, flavor, pos); err != nil {
			return fmt.Errorf("%s %s: %w", n.Name, n.Addr, err)
		}
		fmt.Fprintf(out, "%s %s: caught up to %s\n", n.Name, n.Addr, displayGTID(pos))
	}
	if len(s.nodes) > 1 {
		s.waitSemiSyncClient(ctx, primary, 5*time.Second)
	}
	fmt.Fprintf(out, "semi-synchronous replication: %s (wait point AFTER_SYNC, timeout %s)\n", readSemiSync(ctx, primary.conn, flavor), rc.SemiSyncTimeout)
	return nil
}

func ensureReplUser(ctx context.Context, conn *sql.DB, f Flavor, user, password string, tls bool) error {
	require := "NONE"
	if tls {
		require = "SSL"
	}
	stmts := []string{
		fmt.Sprintf("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", quote(user), quote(password)),
		fmt.Sprintf("ALTER USER %s@'%%' IDENTIFIED BY %s REQUIRE %s", quote(user), quote(password), require),
		fmt.Sprintf("GRANT REPLICATION SLAVE ON *.* TO %s@'%%'", quote(user)),
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return scrub(err, password)
		}
	}
	return nil
}

func setupReplica(ctx context.Context, s *survey, n, primary *surveyed, out io.Writer) error {
	rc, state := s.rc, n.Replica
	host, port, err := s.sourceAddr(primary)
	if err != nil {
		return err
	}
	if _, err := n.conn.ExecContext(ctx, "SET GLOBAL read_only = 1"); err != nil {
		return fmt.Errorf("setting read_only: %w", err)
	}
	if state.Configured && state.SourceHost == host && state.SourcePort == port &&
		state.SourceUser == rc.ReplUser && state.IORunning && state.SQLRunning && state.SSL == rc.TLS {
		if !readSemiSync(ctx, n.conn, s.flavor).ReplicaActive {
			// Semi-sync was just turned on: the receiver takes it up on reconnecting.
			if err := restartReceiver(ctx, n.conn, s.flavor); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "%s %s: already following %s:%d\n", n.Name, n.Addr, host, port)
		return nil
	}
	if d, gtid := s.diverged(n, primary); d && !state.Configured {
		return fmt.Errorf("holds %s, which the primary never had: its history diverged; rebuild it from the primary", gtid)
	}
	if err := s.follow(ctx, n, primary, !state.Configured); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s: now following %s:%d (GTID auto-positioning, semi-synchronous)\n", n.Name, n.Addr, host, port)
	return nil
}

func waitCaughtUp(ctx context.Context, conn *sql.DB, f Flavor, pos string) error {
	for {
		var res sql.NullInt64
		if err := conn.QueryRowContext(ctx, waitForGTIDSQL(f), pos, 1).Scan(&res); err != nil {
			return fmt.Errorf("waiting to catch up: %w", err)
		}
		if res.Valid && res.Int64 == 0 {
			return nil
		}
		state, err := readReplicaState(ctx, conn, f)
		if err != nil {
			return err
		}
		if (!state.IORunning || !state.SQLRunning) && state.LastError != "" {
			return fmt.Errorf("replication stopped: %s", state.LastError)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("not caught up to %s in time (last error: %q)", displayGTID(pos), state.LastError)
		}
	}
}

// readReplicaState runs SHOW REPLICA/SLAVE STATUS and parses its single row.
func readReplicaState(ctx context.Context, q queryer, f Flavor) (ReplicaState, error) {
	rows, err := q.QueryContext(ctx, showReplicaStatusSQL(f))
	if err != nil {
		return ReplicaState{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return ReplicaState{}, err
	}
	row := map[string]string{}
	if rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return ReplicaState{}, err
		}
		for i, c := range cols {
			if vals[i].Valid {
				row[c] = vals[i].String
			} else {
				row[c] = "NULL"
			}
		}
	}
	return parseReplicaStatus(f, row), rows.Err()
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func splitHostPort(override, primaryAddr string) (string, int, error) {
	addr := primaryAddr
	if override != "" {
		addr = override
		if !strings.Contains(addr, ":") {
			addr += ":3306"
		}
	}
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("REPLICATION_PRIMARY_HOST %q: want host or host:port", addr)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("REPLICATION_PRIMARY_HOST %q: bad port", addr)
	}
	return h, port, nil
}

// scrub removes a password from an error message the server may have echoed.
func scrub(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "***"))
}

func displayGTID(pos string) string {
	if pos == "" {
		return "(empty)"
	}
	return pos
}

// NodeStatus is one node's replication state as `api replication status` shows it.
type NodeStatus struct {
	Name       string
	Role       string
	Addr       string
	Reachable  bool
	Error      string
	ReadOnly   bool
	IORunning  bool
	SQLRunning bool
	LagSeconds *int64
	GTID       string
}

// ReplicationStatus asks every node for its state; an unreachable node is
// reported, not an error.
func ReplicationStatus(ctx context.Context, rc ReplicationConfig) ([]NodeStatus, error) {
	if err := rc.validate(false); err != nil {
		return nil, err
	}
	nodes := append([]*mysql.Config{rc.Primary}, rc.Replicas...)
	out := make([]NodeStatus, len(nodes))
	for i, n := range nodes {
		st := NodeStatus{Name: "primary", Role: "primary", Addr: n.Addr}
		if i > 0 {
			st.Name, st.Role = fmt.Sprintf("replica-%d", i), "replica"
		}
		nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := nodeStatus(nctx, rc.adminDSN(n), &st)
		cancel()
		if err != nil {
			st.Error = scrub(err, rc.AdminPassword).Error()
			if !st.Reachable {
				st.Role = "unreachable"
			}
		}
		out[i] = st
	}
	return out, nil
}

func nodeStatus(ctx context.Context, cfg *mysql.Config, st *NodeStatus) error {
	conn, err := openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	st.Reachable = true
	f, err := flavorOf(ctx, conn)
	if err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, "SELECT @@GLOBAL.read_only").Scan(&st.ReadOnly); err != nil {
		return err
	}
	// The role is what the node does, not where its URL is listed: after a
	// failover the first URL's node is a replica (or out of service).
	st.Role = "replica"
	if !st.ReadOnly {
		st.Role = "primary"
	}
	if err := conn.QueryRowContext(ctx, gtidPositionSQL(f)).Scan(&st.GTID); err != nil {
		return err
	}
	rs, err := readReplicaState(ctx, conn, f)
	if err != nil {
		return err
	}
	st.IORunning, st.SQLRunning, st.LagSeconds = rs.IORunning, rs.SQLRunning, rs.LagSeconds
	if rs.LastError != "" {
		st.Error = rs.LastError
	}
	return nil
}

// WriteStatusTable prints statuses as an aligned table.
func WriteStatusTable(w io.Writer, statuses []NodeStatus) {
	fmt.Fprintf(w, "%-10s %-8s %-22s %-9s %-9s %-4s %-4s %-5s %s\n", "NODE", "ROLE", "ADDRESS", "REACHABLE", "READ_ONLY", "IO", "SQL", "LAG", "GTID")
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	for _, s := range statuses {
		lag := "-"
		if s.LagSeconds != nil {
			lag = strconv.FormatInt(*s.LagSeconds, 10)
		}
		io, sqlT := "-", "-"
		if s.Role == "replica" {
			io, sqlT = yn(s.IORunning), yn(s.SQLRunning)
		}
		fmt.Fprintf(w, "%-10s %-8s %-22s %-9s %-9s %-4s %-4s %-5s %s\n", s.Name, s.Role, s.Addr, yn(s.Reachable), yn(s.ReadOnly), io, sqlT, lag, displayGTID(s.GTID))
		if s.Error != "" {
			fmt.Fprintf(w, "           error: %s\n", s.Error)
		}
	}
}
