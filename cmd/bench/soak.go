package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/teachtrack/api/bench/loadgen"
)

// soak is `make soak`: the load generator at a steady rate against the API on
// the private cluster, with replica-1 SIGKILLed a third of the way in and
// restarted (devdb.sh up) at half time, then a switchover to replica-2 at two
// thirds and back at five sixths (`api replication switchover`, issue 21).
// It passes when no request failed but the writes refused with 503 during
// the switchovers (killing a replica must cost no read), no read was stale —
// every user reads back their own acknowledged writes, so a lost one shows
// as stale — and the API's memory and goroutines end where they started.
type soak struct {
	*env
	users    int
	dur      time.Duration
	rate     float64
	fuzztime string
}

type sample struct {
	at         time.Duration
	rss        int64
	goroutines float64
}

func (s *soak) run(ctx context.Context) error {
	db, err := s.cl.createDatabase(ctx, "teachtrack_soak_")
	if err != nil {
		return err
	}
	api, err := s.startAPI(ctx, "soak", db, 2, "causal")
	if err != nil {
		return err
	}
	defer api.stop()
	mix, _ := loadgen.ParseMix(mixDefault)
	fmt.Fprintf(s.out, "soak: %d users, %.0f req/s for %s; replica-1 SIGKILLed at %s, restarted at %s; switchover to replica-2 at %s and back at %s\n",
		s.users, s.rate, s.dur, s.dur/3, s.dur/2, s.dur*2/3, s.dur*5/6)

	type outcome struct {
		res *loadgen.Result
		err error
	}
	done := make(chan outcome, 1)
	loadStart := make(chan time.Time, 1)
	go func() {
		res, err := loadgen.Run(ctx, loadgen.Options{URL: api.url, Users: s.users, Duration: s.dur, Mix: mix, Rate: s.rate,
			Progress: s.out, ProgressEvery: 10 * time.Second, Log: s.out, Label: "soak",
			OnStart: func() { loadStart <- time.Now() }})
		done <- outcome{res, err}
	}()
	var t0 time.Time
	select {
	case t0 = <-loadStart:
	case o := <-done:
		return fmt.Errorf("load generator: %w", o.err)
	}
	pid := api.cmd.Process.Pid
	var samples []sample
	take := func() {
		m, _ := loadgen.Scrape(ctx, api.url+"/metrics")
		r, _ := rss(pid)
		sm := sample{at: time.Since(t0), rss: r}
		if m != nil {
			sm.goroutines = m.Goroutines
		}
		samples = append(samples, sm)
	}
	events := []struct {
		at   time.Duration
		name string
		fn   func() error
	}{
		{s.dur / 3, "SIGKILL replica-1", func() error { return s.cl.kill(1) }},
		{s.dur / 2, "restart replica-1 (devdb.sh up)", func() error { return s.cl.script(ctx, "up") }},
		{s.dur * 2 / 3, "api replication switchover --to replica-2", func() error { return s.switchover(ctx, db, "replica-2") }},
		{s.dur * 5 / 6, "api replication switchover --to primary", func() error { return s.switchover(ctx, db, "primary") }},
	}
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	var res *loadgen.Result
wait:
	for {
		for len(events) > 0 && time.Since(t0) >= events[0].at {
			fmt.Fprintf(s.out, "  %5.0fs  %s\n", time.Since(t0).Seconds(), events[0].name)
			if err := events[0].fn(); err != nil {
				return fmt.Errorf("%s: %w", events[0].name, err)
			}
			events = events[1:]
		}
		select {
		case o := <-done:
			if o.err != nil {
				return fmt.Errorf("load generator: %w", o.err)
			}
			res = o.res
			break wait
		case <-tick.C:
			if time.Since(t0) < s.dur-2*time.Second {
				take()
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	fmt.Fprintln(s.out)
	res.Print(s.out)
	err = s.verdict(res, samples)
	if ferr := s.fuzz(ctx); ferr != nil {
		err = errors.Join(err, ferr)
	}
	return err
}

// verdict prints the figures and fails on errors, stale reads, or growth.
func (s *soak) verdict(res *loadgen.Result, samples []sample) error {
	var problems []string
	if len(samples) < 3 {
		return errors.New("soak: too few samples of memory and goroutines (run longer)")
	}
	// The first sample is 5s into the load: pools and caches are warm by then.
	first, last := samples[0], samples[len(samples)-1]
	fmt.Fprintf(s.out, "\nAPI at %4.0fs: RSS %.1f MiB, goroutines %.0f\n", first.at.Seconds(), float64(first.rss)/(1<<20), first.goroutines)
	fmt.Fprintf(s.out, "API at %4.0fs: RSS %.1f MiB, goroutines %.0f\n", last.at.Seconds(), float64(last.rss)/(1<<20), last.goroutines)
	fmt.Fprintf(s.out, "p99 %.1f ms (reads %.1f ms, writes %.1f ms); %d stale reads of %d checks; %d failed requests\n",
		res.All.P99ms, res.Reads.P99ms, res.Writes.P99ms, res.StaleReads, res.Checks, res.All.Errors)
	// A switchover refuses writes for its gap (503 with Retry-After); nothing else may fail.
	refused := res.Errors["503"]
	if res.Reads.Errors > 0 || res.All.Errors > refused {
		problems = append(problems, fmt.Sprintf("%d failed requests %v (a replica restart must cost none, a switchover only writes refused with 503)", res.All.Errors, res.Errors))
	}
	fmt.Fprintf(s.out, "%d writes refused with 503 during the switchovers; a lost acknowledged write would show as a stale read\n", refused)
	if res.StaleReads > 0 {
		problems = append(problems, fmt.Sprintf("%d stale reads", res.StaleReads))
	}
	// Flat: a small absolute slack for noise, no trend.
	if last.goroutines > first.goroutines*1.5+20 {
		problems = append(problems, fmt.Sprintf("goroutines grew from %.0f to %.0f", first.goroutines, last.goroutines))
	}
	if float64(last.rss) > float64(first.rss)*1.5+8<<20 {
		problems = append(problems, fmt.Sprintf("RSS grew from %.1f to %.1f MiB", float64(first.rss)/(1<<20), float64(last.rss)/(1<<20)))
	}
	if len(problems) > 0 {
		fmt.Fprintln(s.out, "soak: FAIL")
		return errors.New("soak: " + strings.Join(problems, "; "))
	}
	fmt.Fprintln(s.out, "soak: PASS")
	return nil
}

// switchover hands the primary role to node with the API's own command and
// prints what it did (the write gap among it).
func (s *soak) switchover(ctx context.Context, db, node string) error {
	env := append(s.apiEnv(db, "127.0.0.1:0", 2, "causal"),
		"DB_ADMIN_USER=tt_admin", "DB_ADMIN_PASSWORD=tt-admin-dev", "REPLICATION_PASSWORD=tt-repl-dev")
	cmd := exec.CommandContext(ctx, s.apiBin, "replication", "switchover", "--to", node)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fmt.Fprintf(s.out, "         %s\n", line)
	}
	return err
}

// fuzz runs `make fuzz FUZZTIME=…` when the Makefile has that target.
func (s *soak) fuzz(ctx context.Context) error {
	if s.fuzztime == "" {
		return nil
	}
	mk, err := os.ReadFile(filepath.Join(s.root, "Makefile"))
	if err != nil || !strings.Contains(string(mk), "\nfuzz:") {
		fmt.Fprintln(s.out, "\nmake fuzz: no fuzz target in the Makefile yet; skipped")
		return nil
	}
	fmt.Fprintf(s.out, "\nmake fuzz FUZZTIME=%s\n", s.fuzztime)
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "fuzz", "FUZZTIME="+s.fuzztime)
	cmd.Dir, cmd.Stdout, cmd.Stderr = s.root, s.out, s.out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("make fuzz: %w", err)
	}
	return nil
}
