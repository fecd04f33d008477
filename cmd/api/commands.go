package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/joho/godotenv"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/devdb"
	"github.com/teachtrack/api/internal/handlers"
	"github.com/teachtrack/api/internal/mail"
	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/mpesa"
	"github.com/teachtrack/api/internal/storage"
	"github.com/teachtrack/api/migrations"
)

func loadConfig(getenv func(string) string, stderr io.Writer) (*config.Config, error) {
	envFile := getenv("ENV_FILE")
	if envFile == "" {
		envFile = ".env"
	}
	cfg, err := config.Load(localClusterDefaults(getenv, envFile, stderr), envFile)
	if err != nil {
		return nil, err
	}
	cfg.Version = version
	return cfg, nil
}

// localClusterDefaults makes a development checkout without .env find the
// local cluster (scripts/devdb.sh), as `make run` does: when neither the
// environment nor the .env file names a database and APP_ENV is development
// (the default), the variables of `devdb.sh env` fill the gaps, and a line on
// stderr says so. Production and test settings never get them.
func localClusterDefaults(getenv func(string) string, envFile string, stderr io.Writer) func(string) string {
	file, _ := godotenv.Read(envFile) // a broken file is config.Load's to report
	lookup := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return file[k]
	}
	appEnv := lookup("APP_ENV")
	if lookup("DATABASE_URL") != "" || lookup("DATABASE_URL_FILE") != "" || (appEnv != "" && appEnv != "development") {
		return getenv
	}
	fmt.Fprintln(stderr, "api: DATABASE_URL is not set: using the local development cluster (127.0.0.1:3316-3318; start it with `make db-up`)")
	return func(k string) string {
		if v := lookup(k); v != "" {
			return v
		}
		return devdb.LocalEnv[k]
	}
}

// apiDeps are the handlers' dependencies; outside services are made here
// from the configuration (M-Pesa only when MPESA_* is complete).
func apiDeps(cfg *config.Config, cluster *db.Cluster, log *slog.Logger, mailer interface{ Wake() }) handlers.Deps {
	d := handlers.Deps{Config: cfg, Cluster: cluster, Logger: log, Version: version, Mail: mailer}
	if cfg.Mpesa.Configured() {
		d.Mpesa = mpesa.New(cfg.Mpesa)
	} else {
		log.Info("M-Pesa is not configured (MPESA_CONSUMER_KEY, MPESA_CONSUMER_SECRET, MPESA_SHORTCODE, MPESA_PASSKEY, MPESA_CALLBACK_URL, MPESA_CALLBACK_TOKEN): payments are off")
	}
	return d
}

func openCluster(ctx context.Context, cfg *config.Config, log *slog.Logger) (*db.Cluster, error) {
	cluster, err := db.Open(ctx, db.OptionsFromConfig(cfg, log))
	if err != nil {
		return nil, err
	}
	if err := checkPrimaryTLS(ctx, cfg, cluster); err != nil {
		cluster.Close()
		return nil, err
	}
	return cluster, nil
}

// openStorage opens the file store (issue 17). An S3 bucket that is missing
// is made (a fresh MinIO); credentials that may not check buckets only log.
func openStorage(ctx context.Context, cfg *config.Config, log *slog.Logger) (storage.Store, error) {
	store, err := storage.Open(cfg)
	if err != nil {
		return nil, err
	}
	if s3, ok := store.(*storage.S3); ok {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := s3.EnsureBucket(sctx); err != nil {
			log.Warn("could not check the S3 bucket; uploads will fail until it exists", "bucket", cfg.S3.Bucket, "error", err.Error())
		}
	}
	return store, nil
}

func serve(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	log.Info("starting", append([]any{"version", version}, cfg.LogAttrs()...)...)
	cluster, err := openCluster(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer cluster.Close()
	if cfg.MigrateOnStart {
		mctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		err := db.Migrate(mctx, cluster.Primary().DB, migrations.FS, "up", io.Discard)
		cancel()
		if err != nil {
			return fmt.Errorf("migrating at start (set MIGRATE_ON_START=false to skip): %w", err)
		}
	}
	if err := importCurriculumAtStart(ctx, cfg, cluster, log); err != nil {
		return err
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	cluster.Start(bg)
	mailer, err := startMail(bg, cfg, cluster, log)
	if err != nil {
		return err
	}

	store, err := openStorage(ctx, cfg, log)
	if err != nil {
		return err
	}
	reg := handlers.NewRegistry()
	deps := apiDeps(cfg, cluster, log, mailer)
	deps.Storage = store
	deps.Registry = reg
	if rec := handlers.NewPaymentReconciler(deps); rec != nil {
		// Payments whose M-Pesa callback never came are settled all the same.
		go rec.Run(bg)
	}

	srv := &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           handlers.New(deps),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return bg },
	}
	if cfg.PprofAddr != "" {
		stopPprof, err := servePprof(cfg.PprofAddr, log)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	switch {
	case cfg.MetricsAddr != "":
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, handlers.MetricsHandler(reg, cfg.MetricsToken), log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	case cfg.MetricsToken == "" && cfg.Production():
		log.Warn("/metrics is not served: set METRICS_ADDR (a private listener) or METRICS_TOKEN (a bearer token) to scrape it")
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	log.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Shutdown stops accepting at once and waits for in-flight requests.
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// startMail starts the worker that delivers the mail outbox until ctx ends:
// through SMTP_URL, or into the log when it is empty.
func startMail(ctx context.Context, cfg *config.Config, cluster *db.Cluster, log *slog.Logger) (*mail.Worker, error) {
	sender, err := mail.NewSender(cfg.SMTPURL, cfg.EmailFrom, log)
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	if cfg.SMTPURL == "" {
		log.Warn("SMTP_URL is not set: mails are written to this log instead of being sent")
	}
	w := mail.NewWorker(models.NewMailOutbox(cluster.OnPrimary), sender, log)
	go w.Run(ctx)
	return w, nil
}

// servePprof serves the profiling endpoints on their own listener, so they
// are never reachable through the API's address.
func servePprof(addr string, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("PPROF_ADDR %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Warn("serving pprof (PPROF_ADDR): keep this address private", "addr", ln.Addr().String())
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Close() }, nil
}

// serveMetrics serves /metrics alone on its own listener (METRICS_ADDR), e.g.
// an address only the monitoring network reaches.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("METRICS_ADDR %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("serving /metrics on its own listener (METRICS_ADDR)", "addr", ln.Addr().String())
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Close() }, nil
}

func migrate(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: api migrate up|down|status")
	}
	cluster, err := openCluster(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer cluster.Close()
	return db.Migrate(ctx, cluster.Primary().DB, migrations.FS, args[0], stdout)
}

func replication(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	const use = "usage: api replication setup|status|switchover [--to NODE]|failover [--force]|rejoin NODE"
	if len(args) == 0 {
		return errors.New(use)
	}
	rc := db.ReplicationConfigFrom(cfg)
	fs := flag.NewFlagSet("replication "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	to := fs.String("to", "", "the node to promote: its name (replica-1), address or port")
	force := fs.Bool("force", false, "promote even though semi-synchronous replication had fallen back to asynchronous")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%v\n%s", err, use)
	}
	rest := fs.Args()
	wantArgs := map[string]int{"setup": 0, "status": 0, "switchover": 0, "failover": 0, "rejoin": 1}
	n, known := wantArgs[args[0]]
	switch {
	case !known:
		return fmt.Errorf("unknown replication command %q (want setup, status, switchover, failover or rejoin)", args[0])
	case len(rest) != n, *to != "" && args[0] != "switchover", *force && args[0] != "failover":
		return errors.New(use)
	}
	switch args[0] {
	case "setup":
		return db.SetupReplication(ctx, rc, stdout)
	case "status":
		st, err := db.ReplicationStatus(ctx, rc)
		if err != nil {
			return err
		}
		db.WriteStatusTable(stdout, st)
		return nil
	case "switchover":
		_, err := db.Switchover(ctx, rc, *to, stdout)
		return err
	case "failover":
		_, err := db.Failover(ctx, rc, db.FailoverOptions{Force: *force}, stdout)
		return err
	}
	return db.Rejoin(ctx, rc, rest[0], stdout)
}

// healthcheck asks the local API's /readyz; distroless images have no curl.
func healthcheck(ctx context.Context, getenv func(string) string) error {
	addr := getenv("HTTP_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /readyz answered %d", res.StatusCode)
	}
	return nil
}
