// Package legacy moves a database of the original TeachTrack backend (its
// Python models.py schema) into this project's schema: `api import-legacy`.
//
// The source is only read, inside one read-only transaction, so every table
// comes from the same consistent snapshot. Each imported row is recorded in
// legacy_ids with the digest of what was written; a re-run writes only rows
// that are new or whose digest changed, so the import is idempotent and a
// stopped run resumes where it stopped. Writes go to the primary in batches,
// one short transaction each, and the import waits between batches while
// the replicas lag more than MAX_REPLICA_LAG. A verification pass at the end
// compares, per table, the count and an order-independent checksum of what
// the source says against what the target holds.
package legacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/teachtrack/api/internal/config"
)

// Options configure one import.
type Options struct {
	// Source is the original backend's database; Target is this project's
	// primary, migrated (legacy_ids must exist).
	Source, Target *sql.DB
	// DryRun reads everything and reports what would happen; it writes nothing.
	DryRun bool
	// BatchSize is the rows per target transaction (default 500).
	BatchSize int
	// ReplicaLag reports the replicas' current lag; nil when there are none.
	ReplicaLag func(context.Context) (time.Duration, error)
	// MaxReplicaLag is the lag at which the import pauses (default 5s).
	MaxReplicaLag time.Duration
	// LagPoll is how often a paused import asks again (default 200ms).
	LagPoll time.Duration
}

// OpenSource opens the original database named by a mysql:// URL (the form
// of DATABASE_URL). Sessions read TIMESTAMPs in UTC; the import itself only
// ever reads it, inside a READ ONLY transaction.
func OpenSource(rawURL string) (*sql.DB, error) {
	cfg, err := config.ParseDatabaseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	cfg = cfg.Clone()
	cfg.ParseTime, cfg.Loc = true, time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(2)
	return db, nil
}

// Run imports (or, with DryRun, rehearses importing) the source into the
// target and returns the report. An error stops the run; what was committed
// before it stays, and the next run resumes from it.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Source == nil || o.Target == nil {
		return nil, errors.New("legacy: source and target are required")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.MaxReplicaLag <= 0 {
		o.MaxReplicaLag = 5 * time.Second
	}
	if o.LagPoll <= 0 {
		o.LagPoll = 200 * time.Millisecond
	}
	start := time.Now()
	src, err := o.Source.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("reading the source: %w", err)
	}
	defer src.Rollback() //nolint:errcheck // read only: nothing to keep
	im, err := newImporter(ctx, o, src)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		began := time.Now()
		if err := im.importTable(ctx, t); err != nil {
			return im.report, fmt.Errorf("%s: %w", t.source, err)
		}
		if t.after != nil && !o.DryRun {
			if err := t.after(ctx, im); err != nil {
				return im.report, fmt.Errorf("%s: %w", t.source, err)
			}
		}
		im.report.Table(t.source).Took = time.Since(began)
	}
	if err := im.notModelled(ctx); err != nil {
		return im.report, err
	}
	im.report.ImportTook = time.Since(start)
	if !o.DryRun {
		if err := im.verify(ctx); err != nil {
			return im.report, fmt.Errorf("verification: %w", err)
		}
		if err := im.waitLag(ctx); err != nil {
			return im.report, err
		}
	}
	im.report.Took = time.Since(start)
	return im.report, nil
}
