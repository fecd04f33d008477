package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// migrationLockName is the MySQL user lock that serialises migrations when
// several API instances start at once. Locks are server-wide, so the name
// includes the database: instances of different databases on one server (test
// databases, staging next to production) don't wait for each other; it is
// hashed because lock names are limited to 64 characters.
const migrationLockName = "CONCAT('teachtrack.migrate.', MD5(DATABASE()))"

// Migrate runs a goose command ("up", "down" or "status") against the primary,
// holding GET_LOCK for its duration.
func Migrate(ctx context.Context, primary *sql.DB, migrations fs.FS, command string, out io.Writer) error {
	// Issues are built in parallel and each owns a range of versions (issue N:
	// N00..N99), so a range may land after a higher one: apply it anyway.
	provider, err := goose.NewProvider(goose.DialectMySQL, primary, migrations, goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("loading migrations: %w", err)
	}
	conn, err := primary.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer conn.Close()
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+migrationLockName+", 60)").Scan(&got); err != nil {
		return fmt.Errorf("migrations: taking the lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("migrations: another instance held the migration lock for 60s")
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK("+migrationLockName+")")

	switch command {
	case "up":
		results, err := provider.Up(ctx)
		for _, r := range results {
			fmt.Fprintf(out, "migrated up %s (%s)\n", r.Source.Path, r.Duration.Round(1e6))
		}
		return err
	case "down":
		r, err := provider.Down(ctx)
		if r != nil {
			fmt.Fprintf(out, "migrated down %s\n", r.Source.Path)
		}
		return err
	case "status":
		statuses, err := provider.Status(ctx)
		if err != nil {
			return err
		}
		for _, s := range statuses {
			applied := "pending"
			if s.State == goose.StateApplied {
				applied = "applied " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(out, "%-40s %s\n", s.Source.Path, applied)
		}
		return nil
	}
	return fmt.Errorf("unknown migrate command %q (want up, down or status)", command)
}
