// Command refserver runs the benchmark's reference server (bench/refserver):
// the load generator's endpoints in plain net/http + database/sql, against
// the same databases and JWT secret as the API it is compared with.
//
//	refserver -addr 127.0.0.1:18090 -primary mysql://… -replicas mysql://…,mysql://… -jwt-secret …
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/teachtrack/api/bench/refserver"
	"github.com/teachtrack/api/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18090", "listen address")
	primary := fs.String("primary", "", "primary database URL (as DATABASE_URL)")
	replicas := fs.String("replicas", "", "comma-separated replica URLs (as DATABASE_REPLICA_URLS)")
	secret := fs.String("jwt-secret", "", "the API's JWT_SECRET")
	maxOpen := fs.Int("max-open-conns", 20, "pool size per node (as DB_MAX_OPEN_CONNS)")
	maxIdle := fs.Int("max-idle-conns", 10, "idle connections per node (as DB_MAX_IDLE_CONNS)")
	maxSubjects := fs.Int("max-subjects", 50, "subjects per user (as MAX_SUBJECTS_PER_USER)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *primary == "" || *secret == "" {
		return errors.New("-primary and -jwt-secret are required")
	}
	p, err := config.ParseDatabaseURL(*primary)
	if err != nil {
		return fmt.Errorf("-primary %v", err)
	}
	var rs []*mysql.Config
	for _, u := range strings.Split(*replicas, ",") {
		if strings.TrimSpace(u) == "" {
			continue
		}
		c, err := config.ParseDatabaseURL(u)
		if err != nil {
			return fmt.Errorf("-replicas %v", err)
		}
		rs = append(rs, c)
	}
	srv, err := refserver.New(refserver.Options{Primary: p, Replicas: rs, JWTSecret: *secret,
		MaxOpenConns: *maxOpen, MaxIdleConns: *maxIdle, MaxSubjects: *maxSubjects})
	if err != nil {
		return err
	}
	defer srv.Close()
	hs := &http.Server{Addr: *addr, Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}
