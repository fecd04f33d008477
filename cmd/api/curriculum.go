package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/curriculum"
	"github.com/teachtrack/api/internal/db"
)

// curriculumCmd is `api curriculum import DIR|FILE…`: every curriculum JSON
// file into the catalogue, idempotently (see curriculum.Import).
func curriculumCmd(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	if len(args) < 2 || args[0] != "import" {
		return errors.New("usage: api curriculum import DIR|FILE…")
	}
	cluster, err := openCluster(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer cluster.Close()
	r, err := curriculum.Import(ctx, cluster.OnPrimary(ctx), args[1:])
	if r != nil {
		for _, f := range r.Files {
			line := fmt.Sprintf("%-10s %s", f.Status, f.File)
			if f.TemplateID != 0 {
				line += fmt.Sprintf(" → template %d v%d (%s, %s: %d strands, %d sub-strands, %d lessons)",
					f.TemplateID, f.Version, f.Subject, f.Grade, f.Strands, f.Substrands, f.Lessons)
			}
			if f.Message != "" {
				line += ": " + f.Message
			}
			fmt.Fprintln(stdout, line)
		}
		fmt.Fprintln(stdout, r.String())
	}
	if err != nil {
		return fmt.Errorf("curriculum import: %w", db.Translate(err))
	}
	if r.Failed > 0 {
		return fmt.Errorf("curriculum import: %d files failed", r.Failed)
	}
	return nil
}

// importCurriculumAtStart imports CURRICULUM_DIR after the migrations; a
// file that fails is logged and the API starts anyway. Without the variable
// it says how to fill the catalogue.
func importCurriculumAtStart(ctx context.Context, cfg *config.Config, cluster *db.Cluster, log *slog.Logger) error {
	if cfg.CurriculumDir == "" {
		log.Info("curriculum catalogue: CURRICULUM_DIR is not set, nothing imported at start; fill or update the catalogue with `api curriculum import DIR` (the CBC curriculum JSON files) or set CURRICULUM_DIR")
		return nil
	}
	ictx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	start := time.Now()
	r, err := curriculum.Import(ictx, cluster.OnPrimary(ictx), []string{cfg.CurriculumDir})
	if err != nil {
		return fmt.Errorf("importing CURRICULUM_DIR %s: %w", cfg.CurriculumDir, db.Translate(err))
	}
	for _, f := range r.Files {
		if f.Status == curriculum.StatusFailed {
			log.Warn("curriculum file not imported", "file", f.File, "error", f.Message)
		}
	}
	log.Info("curriculum catalogue imported", "dir", cfg.CurriculumDir, "summary", r.String(), "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}
