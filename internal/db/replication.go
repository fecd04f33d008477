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
	// Timeout bounds the wait for replicas to catch up.
	Timeout time.Duration
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

// SetupReplication makes every replica follow the primary with GTID
// auto-positioning and waits until each has caught up. It is idempotent: a
// replica already following the primary with both threads running is left as
// it is. Passwords are never written to out.
func SetupReplication(ctx context.Context, rc ReplicationConfig, out io.Writer) error {
	if err := rc.validate(true); err != nil {
		return err
	}
	if rc.Timeout == 0 {
		rc.Timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, rc.Timeout)
	defer cancel()

	primary, err := openAdmin(ctx, rc.adminDSN(rc.Primary))
	if err != nil {
		return fmt.Errorf("primary %s: %w", rc.Primary.Addr, err)
	}
	defer primary.Close()
	flavor, err := flavorOf(ctx, primary)
	if err != nil {
		return fmt.Errorf("primary %s: %w", rc.Primary.Addr, err)
	}
	var logBin int
	if err := primary.QueryRowContext(ctx, "SELECT @@GLOBAL.log_bin").Scan(&logBin); err != nil {
		return fmt.Errorf("primary %s: %w", rc.Primary.Addr, err)
	}
	if logBin != 1 {
		return fmt.Errorf("primary %s has the binary log off: start it with --log-bin", rc.Primary.Addr)
	}
	if err := ensureReplUser(ctx, primary, flavor, rc.ReplUser, rc.ReplPassword); err != nil {
		return fmt.Errorf("primary %s: creating replication user: %w", rc.Primary.Addr, err)
	}
	fmt.Fprintf(out, "primary %s (%s): replication user %s ready\n", rc.Primary.Addr, flavor, rc.ReplUser)

	host, port, err := splitHostPort(rc.PrimaryHost, rc.Primary.Addr)
	if err != nil {
		return err
	}
	for i, r := range rc.Replicas {
		name := fmt.Sprintf("replica-%d", i+1)
		if err := setupReplica(ctx, rc, r, flavor, host, port, out, name); err != nil {
			return fmt.Errorf("%s %s: %w", name, r.Addr, err)
		}
	}
	// Catching up is measured against the primary's position now, after the user exists.
	var pos string
	if err := primary.QueryRowContext(ctx, primaryPositionSQL(flavor)).Scan(&pos); err != nil {
		return fmt.Errorf("primary %s: reading GTID position: %w", rc.Primary.Addr, err)
	}
	for i, r := range rc.Replicas {
		name := fmt.Sprintf("replica-%d", i+1)
		if err := waitCaughtUp(ctx, rc, r, flavor, pos); err != nil {
			return fmt.Errorf("%s %s: %w", name, r.Addr, err)
		}
		fmt.Fprintf(out, "%s %s: caught up to %s\n", name, r.Addr, displayGTID(pos))
	}
	return nil
}

func ensureReplUser(ctx context.Context, conn *sql.DB, f Flavor, user, password string) error {
	stmts := []string{
		fmt.Sprintf("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", quote(user), quote(password)),
		fmt.Sprintf("ALTER USER %s@'%%' IDENTIFIED BY %s", quote(user), quote(password)),
		fmt.Sprintf("GRANT REPLICATION SLAVE ON *.* TO %s@'%%'", quote(user)),
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return scrub(err, password)
		}
	}
	return nil
}

func setupReplica(ctx context.Context, rc ReplicationConfig, r *mysql.Config, primaryFlavor Flavor, host string, port int, out io.Writer, name string) error {
	conn, err := openAdmin(ctx, rc.adminDSN(r))
	if err != nil {
		return err
	}
	defer conn.Close()
	flavor, err := flavorOf(ctx, conn)
	if err != nil {
		return err
	}
	if flavor != primaryFlavor {
		return fmt.Errorf("is %s but the primary is %s", flavor, primaryFlavor)
	}
	state, err := readReplicaState(ctx, conn, flavor)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "SET GLOBAL read_only = 1"); err != nil {
		return fmt.Errorf("setting read_only: %w", err)
	}
	if state.Configured && state.SourceHost == host && state.SourcePort == port &&
		state.SourceUser == rc.ReplUser && state.IORunning && state.SQLRunning {
		fmt.Fprintf(out, "%s %s: already following %s:%d\n", name, r.Addr, host, port)
		return nil
	}
	if state.Configured {
		if _, err := conn.ExecContext(ctx, stopReplicaSQL(flavor)); err != nil {
			return fmt.Errorf("stopping replication: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, changeSourceSQL(flavor, host, port, rc.ReplUser, rc.ReplPassword)); err != nil {
		return fmt.Errorf("pointing at the primary: %w", scrub(err, rc.ReplPassword))
	}
	if _, err := conn.ExecContext(ctx, startReplicaSQL(flavor)); err != nil {
		return fmt.Errorf("starting replication: %w", err)
	}
	fmt.Fprintf(out, "%s %s: now following %s:%d (GTID auto-positioning)\n", name, r.Addr, host, port)
	return nil
}

func waitCaughtUp(ctx context.Context, rc ReplicationConfig, r *mysql.Config, f Flavor, pos string) error {
	conn, err := openAdmin(ctx, rc.adminDSN(r))
	if err != nil {
		return err
	}
	defer conn.Close()
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
