// Command api is the TeachTrack backend: the HTTP API and its operational
// subcommands (migrations, replication, first admin, health check).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
}

const usage = `usage: api <command>

commands:
  serve                          run the HTTP API (the default)
  migrate up|down|status         apply, roll back one, or list migrations on the primary
  replication setup|status       make the replicas follow the primary / show each node's state
  replication switchover [--to NODE]   hand the primary role to a replica (planned; no write lost)
  replication failover [--force]       promote the most advanced replica when the primary is gone
  replication rejoin NODE        make a former primary a replica of the current one
  users create-admin --email E --password-stdin
                                 create (or promote) the first SUPER_ADMIN
  curriculum import DIR|FILE…    import CBC curriculum JSON files into the catalogue (idempotent)
  import-legacy --from URL [--dry-run]
                                 move the original backend's database into this one (idempotent)
  healthcheck                    exit 0 when the local API's /readyz answers 200
  version                        print the version
`

// run is the whole program; main only supplies the process's environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 1 {
		cmd = args[1]
	}
	var rest []string
	if len(args) > 2 {
		rest = args[2:]
	}
	switch cmd {
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	case "healthcheck":
		return healthcheck(ctx, getenv)
	}
	cfg, err := loadConfig(getenv, stderr)
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, stdout)
	case "migrate":
		return migrate(ctx, cfg, rest, stdout)
	case "replication":
		return replication(ctx, cfg, rest, stdout)
	case "users":
		return users(ctx, cfg, rest, stdin, stdout)
	case "curriculum":
		return curriculumCmd(ctx, cfg, rest, stdout)
	case "import-legacy":
		return importLegacy(ctx, cfg, rest, stdout)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
