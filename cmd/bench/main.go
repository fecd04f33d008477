// Command bench runs the TeachTrack benchmarks (`make bench`) and the soak
// test (`make soak`) on a private local cluster: it builds the API and the
// reference server, starts them as processes with the right environment,
// drives them with bench/loadgen, and writes bench/results/*.json, SVG charts
// and bench/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// env is what every command shares: built binaries and a private cluster.
type env struct {
	root, tmp      string
	apiBin, refBin string
	cl             *cluster
	out            io.Writer
	// servers maps a running server's URL to its name ("api" or "ref") and
	// process, for the CPU each run costs it.
	servers map[string]serverProc
}

type serverProc struct {
	name string
	pid  int
}

func run(ctx context.Context, args []string, out io.Writer) error {
	cmd := "bench"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	basePort := fs.Int("port", 3366, "first of the private cluster's three ports")
	users := fs.Int("users", 32, "virtual users per run")
	duration := fs.Duration("duration", 0, "measured phase of each run (bench, default 15s) or of the whole soak (default 3m)")
	resultsDir := fs.String("results", "bench/results", "where JSON results and SVG charts go (bench)")
	readme := fs.String("readme", "bench/README.md", "report to write (bench)")
	dbCPU := fs.Float64("db-cpu", 0.25, "CPU cap of each database process in the read-scaling scenario")
	rate := fs.Float64("rate", 300, "steady request rate of the soak")
	only := fs.String("only", "", "comma-separated scenarios to run: routing, efficiency, scaling, week, signin (bench; default all)")
	note := fs.String("note", "", "a sentence on the conditions of the run (e.g. other work sharing the machine), printed in the report (bench)")
	fuzztime := fs.String("fuzztime", "30s", "FUZZTIME for `make fuzz` after the soak (empty: skip)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cmd == "report" {
		return rerender(*resultsDir, *readme, out)
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "scripts", "devdb.sh")); err != nil {
		return fmt.Errorf("run from the repository root (scripts/devdb.sh not found)")
	}
	e, cleanup, err := setup(ctx, root, *basePort, out)
	if err != nil {
		return err
	}
	defer cleanup()
	if *duration == 0 {
		*duration = map[string]time.Duration{"bench": 15 * time.Second, "soak": 3 * time.Minute}[cmd]
	}
	switch cmd {
	case "bench":
		b := &bench{env: e, users: *users, dur: *duration, resultsDir: *resultsDir, readme: *readme, dbCPU: *dbCPU, note: *note}
		if *only != "" {
			b.only = strings.Split(*only, ",")
		}
		return b.run(ctx)
	case "soak":
		s := &soak{env: e, users: *users, dur: *duration, rate: *rate, fuzztime: *fuzztime}
		return s.run(ctx)
	case "analytics": // issue 20: analytics.go
		return analyticsBench(ctx, e, 0)
	}
	return fmt.Errorf("unknown command %q (want bench, soak, analytics or report)", cmd)
}

// setup builds the binaries and starts a private cluster; cleanup stops it.
func setup(ctx context.Context, root string, basePort int, out io.Writer) (*env, func(), error) {
	tmp, err := os.MkdirTemp("", "ttbench-")
	if err != nil {
		return nil, nil, err
	}
	e := &env{root: root, tmp: tmp, out: out, apiBin: filepath.Join(tmp, "api"), refBin: filepath.Join(tmp, "refserver"),
		cl:      &cluster{root: root, dir: filepath.Join(tmp, "devdb"), ports: [3]int{basePort, basePort + 1, basePort + 2}},
		servers: map[string]serverProc{}}
	fmt.Fprintln(out, "building the API and the reference server…")
	for bin, pkg := range map[string]string{e.apiBin: "./cmd/api", e.refBin: "./cmd/refserver"} {
		b := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
		b.Dir, b.Stdout, b.Stderr = root, out, out
		if err := b.Run(); err != nil {
			os.RemoveAll(tmp)
			return nil, nil, fmt.Errorf("go build %s: %w", pkg, err)
		}
	}
	fmt.Fprintf(out, "starting a private cluster on ports %v (data in %s)…\n", e.cl.ports, e.cl.dir)
	cleanup := func() {
		if err := e.cl.script(context.Background(), "down"); err != nil {
			fmt.Fprintln(out, "stopping the private cluster:", err)
		}
		os.RemoveAll(tmp)
	}
	if err := e.cl.script(ctx, "up"); err != nil {
		cleanup()
		return nil, nil, err
	}
	return e, cleanup, nil
}

// apiEnv is the API's whole environment for a run: nothing is inherited but
// PATH and HOME, so a developer's .env or shell can't change the figures.
// BCRYPT_COST=4 and the raised sign-up limits keep user setup from being
// bound by password hashing and rate limiting.
func (e *env) apiEnv(db, addr string, replicas int, mode string, extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "ENV_FILE=" + filepath.Join(e.tmp, "no-such.env"),
		"APP_ENV=development", "HTTP_ADDR=" + addr, "LOG_LEVEL=warn",
		"DATABASE_URL=" + e.cl.url(0, db), "DATABASE_REPLICA_URLS=" + e.cl.replicaURLs(replicas, db),
		"READ_YOUR_WRITES=" + mode, "ROUTING_DEBUG_HEADER=true", "MIGRATE_ON_START=true",
		"JWT_SECRET=" + benchSecret, "BCRYPT_COST=4", "LOGIN_RATE_LIMIT=1000000", "REGISTER_RATE_LIMIT=1000000",
		"MAX_SUBJECTS_PER_USER=50",
	}, extra...)
}

const benchSecret = "bench-secret-0123456789abcdef0123456789abcdef"

// startAPI starts the API on a free port against database db.
func (e *env) startAPI(ctx context.Context, label, db string, replicas int, mode string, extra ...string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s, err := start(ctx, "api", e.apiBin, []string{"serve"}, e.apiEnv(db, addr, replicas, mode, extra...), addr, "/readyz",
		filepath.Join(e.tmp, "api-"+label+".log"))
	if err == nil {
		e.servers[s.url] = serverProc{"api", s.cmd.Process.Pid}
	}
	return s, err
}

// startRef starts the reference server against database db (both replicas).
func (e *env) startRef(ctx context.Context, db string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"-addr", addr, "-primary", e.cl.url(0, db), "-replicas", e.cl.replicaURLs(2, db), "-jwt-secret", benchSecret}
	s, err := start(ctx, "refserver", e.refBin, args, []string{"PATH=" + os.Getenv("PATH")}, addr, "/healthz",
		filepath.Join(e.tmp, "refserver.log"))
	if err == nil {
		e.servers[s.url] = serverProc{"ref", s.cmd.Process.Pid}
	}
	return s, err
}
