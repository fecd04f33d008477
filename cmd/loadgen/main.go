// Command loadgen drives the TeachTrack API like a population of teachers and
// reports throughput, latency percentiles per operation, errors, stale reads
// (read-your-writes violations) and each database node's share of the reads.
//
//	go run ./cmd/loadgen -url http://127.0.0.1:8080 -users 50 -duration 30s -mix 80/20 -out result.json
//
// The API must allow the sign-ups: raise LOGIN_RATE_LIMIT and REGISTER_RATE_LIMIT
// (and use BCRYPT_COST=4 so setting users up isn't bound by password hashing).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/teachtrack/api/bench/loadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080", "base URL of the server under load")
	setupURL := fs.String("setup-url", "", "base URL where users register and sign in (default: -url)")
	metricsURL := fs.String("metrics-url", "", `Prometheus metrics URL for db_queries_total (default: -url + /metrics; "-" for none)`)
	users := fs.Int("users", 50, "virtual users")
	duration := fs.Duration("duration", 30*time.Second, "length of the measured phase")
	mixFlag := fs.String("mix", "80/20", `reads/writes in percent, or op=weight,… (e.g. "get_subject=1")`)
	rate := fs.Float64("rate", 0, "cap on mix operations per second, all users together; each write adds its read-back (0: as fast as the server answers)")
	subjects := fs.Int("subjects", 2, "subjects each user creates before the measured phase")
	out := fs.String("out", "", "write the result as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	mix, err := loadgen.ParseMix(*mixFlag)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "setting up %d users at %s…\n", *users, *url)
	res, err := loadgen.Run(ctx, loadgen.Options{
		URL: *url, SetupURL: *setupURL, MetricsURL: *metricsURL, Users: *users, Duration: *duration,
		Mix: mix, Rate: *rate, Subjects: *subjects, Progress: stderr, Log: stderr, Label: "loadgen",
	})
	if err != nil {
		return err
	}
	res.Print(stdout)
	if *out != "" {
		return res.WriteJSON(*out)
	}
	return nil
}
