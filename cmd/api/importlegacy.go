package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/legacy"
)

// importLegacy is `api import-legacy --from URL [--dry-run] [--batch N]`:
// the original backend's database into this one (see internal/legacy).
func importLegacy(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import-legacy", flag.ContinueOnError)
	fs.SetOutput(stdout)
	from := fs.String("from", "", "the original backend's database, mysql://user:password@host:port/name (only read)")
	dry := fs.Bool("dry-run", false, "report what would be imported and refused; write nothing")
	batch := fs.Int("batch", 500, "rows per transaction on the primary")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || fs.NArg() > 0 {
		return errors.New("usage: api import-legacy --from mysql://user:password@host:port/db [--dry-run] [--batch N]")
	}
	source, err := legacy.OpenSource(*from)
	if err != nil {
		return err
	}
	defer source.Close()
	cluster, err := openCluster(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer cluster.Close()
	hctx, stop := context.WithCancel(ctx)
	defer stop()
	cluster.Start(hctx) // the health checker measures the replicas' lag
	r, err := legacy.Run(ctx, legacy.Options{
		Source: source, Target: cluster.Primary().DB, DryRun: *dry, BatchSize: *batch,
		MaxReplicaLag: cfg.MaxReplicaLag, ReplicaLag: replicaLag(cluster),
	})
	if r != nil {
		r.Print(stdout)
	}
	if err != nil {
		return fmt.Errorf("import-legacy: %w", db.Translate(err))
	}
	if !r.Verified() {
		return errors.New("import-legacy: the verification found differences (see above)")
	}
	return nil
}

// replicaLag is the largest lag the health checker last measured.
func replicaLag(c *db.Cluster) func(context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) {
		var worst time.Duration
		for _, n := range c.Snapshot(ctx) {
			if n.Role == "replica" && n.LagSeconds != nil {
				worst = max(worst, time.Duration(*n.LagSeconds*float64(time.Second)))
			}
		}
		return worst, nil
	}
}
