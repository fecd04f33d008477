package db

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/go-sql-driver/mysql"
)

// ErrNoSinglePrimary is why a write is refused while two nodes are writable
// at once (a split brain): writing to either could lose the other's writes.
var ErrNoSinglePrimary = errors.New("two database nodes are writable at once: writes are refused until one is made read-only")

// writerConnector opens the primary pool's connections to whichever node is
// the primary now. The health checker changes the target; connections opened
// to an earlier one fail database/sql's validity check and are discarded, so
// the pool follows a promotion without a restart and without writing to the
// old node again.
type writerConnector struct{ c *Cluster }

// Connect dials the current primary.
func (w writerConnector) Connect(ctx context.Context) (driver.Conn, error) {
	t := w.c.writer.Load()
	if t.conflict {
		return nil, ErrNoSinglePrimary
	}
	conn, err := t.member.connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &writerConn{Conn: conn, gen: t.gen, c: w.c}, nil
}

// Driver is the MySQL driver.
func (writerConnector) Driver() driver.Driver { return &mysql.MySQLDriver{} }

// writerConn is a connection to the node that was the primary at generation
// gen. It forwards every optional interface of the driver's connection.
type writerConn struct {
	driver.Conn
	gen uint64
	c   *Cluster
}

func (w *writerConn) current() bool { return w.c.writer.Load().gen == w.gen }

// IsValid is false once the primary has changed (or two are writable): the
// pool then discards the connection instead of reusing it.
func (w *writerConn) IsValid() bool {
	if v, ok := w.Conn.(driver.Validator); ok && !v.IsValid() {
		return false
	}
	return w.current()
}

// ResetSession refuses a connection to a former primary before its reuse.
func (w *writerConn) ResetSession(ctx context.Context) error {
	if !w.current() {
		return driver.ErrBadConn
	}
	if r, ok := w.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// BeginTx starts a transaction.
func (w *writerConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := w.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return w.Conn.Begin() //nolint:staticcheck // the fallback database/sql itself uses
}

// PrepareContext prepares a statement.
func (w *writerConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := w.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return w.Conn.Prepare(query)
}

// ExecContext runs a statement without preparing it.
func (w *writerConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := w.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

// QueryContext runs a query without preparing it.
func (w *writerConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := w.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

// Ping checks the connection.
func (w *writerConn) Ping(ctx context.Context) error {
	if p, ok := w.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// CheckNamedValue lets the driver convert arguments as it would unwrapped.
func (w *writerConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := w.Conn.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
