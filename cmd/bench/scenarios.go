package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/teachtrack/api/bench/loadgen"
)

// bench runs the scenarios of `make bench`.
type bench struct {
	*env
	users      int
	dur        time.Duration
	resultsDir string
	readme     string
	dbCPU      float64
	only       []string // scenarios to run (empty: all)
	retried    []string // runs repeated because a database node died
	note       string   // -note: the conditions of the run, for the report

	runs    []*runResult
	skipped map[string]string // scenario → why it didn't run
	pprof   map[string]string // profile name → `go tool pprof -top` output
}

// runResult is one load generator run within a scenario.
type runResult struct {
	Scenario string          `json:"scenario"`
	Name     string          `json:"name"`
	Result   *loadgen.Result `json:"result"`
	// PeakRSSBytes is the API's VmHWM after the run (0 for the reference server).
	PeakRSSBytes int64 `json:"peak_rss_bytes,omitempty"`
	// CPUms is each process's CPU time per measured request, in ms: the
	// server ("api" or "ref"), "primary", "replica-1", "replica-2", "loadgen".
	CPUms map[string]float64 `json:"cpu_ms_per_request,omitempty"`
}

const (
	mixDefault = "80/20"
	mixGetByID = "get_subject=1"
	mixReads   = "list_subjects=1,get_subject=1,get_lessons=1,dashboard=1"
)

func (b *bench) run(ctx context.Context) error {
	b.skipped, b.pprof = map[string]string{}, map[string]string{}
	started := time.Now()
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"routing", b.routing},
		{"efficiency", b.efficiency},
		{"scaling", b.scaling},
		{"week", b.week},
		{"signin", b.signin},
	}
	for _, s := range steps {
		if len(b.only) > 0 && !slices.Contains(b.only, s.name) {
			continue
		}
		fmt.Fprintf(b.out, "\n== scenario: %s ==\n", s.name)
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("scenario %s: %w", s.name, err)
		}
	}
	fmt.Fprintf(b.out, "\nall scenarios done in %s\n\n", time.Since(started).Round(time.Second))
	rep := b.report()
	rep.table(b.out)
	rep.targets(b.out)
	return b.write(rep)
}

// load runs the load generator against url and records the result.
func (b *bench) load(ctx context.Context, scenario, name, url, setupURL, mix string) (*runResult, error) {
	m, err := loadgen.ParseMix(mix)
	if err != nil {
		return nil, err
	}
	o := loadgen.Options{URL: url, SetupURL: setupURL, Users: b.users, Duration: b.dur, Mix: m,
		Progress: b.out, ProgressEvery: 5 * time.Second, Log: b.out, Label: scenario + "/" + name}
	if setupURL != "" {
		o.MetricsURL = "-"
	}
	var meter *cpuMeter
	if sp, ok := b.servers[url]; ok {
		meter = b.newCPUMeter(sp.name, sp.pid)
		o.OnStart = meter.start
	}
	res, err := loadgen.Run(ctx, o)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(b.out, "  %s/%s: %.0f req/s, p99 %.1f ms, errors %d, stale %d/%d\n", scenario, name, res.RPS, res.All.P99ms,
		res.All.Errors, res.StaleReads, res.Checks)
	r := &runResult{Scenario: scenario, Name: name, Result: res}
	if meter != nil {
		r.CPUms = meter.stop(res.Requests)
	}
	b.runs = append(b.runs, r)
	return r, nil
}

// withAPI starts an API on a fresh database, runs fn, records its peak RSS on
// every run fn made, and stops it. When a database node died meanwhile (other
// programs on a shared machine have been seen signalling stale pids), the
// runs are discarded, the cluster is brought back and fn runs once more.
func (b *bench) withAPI(ctx context.Context, label string, replicas int, mode string, fn func(api *server, db string) error, extra ...string) error {
	for attempt := 1; ; attempt++ {
		first := len(b.runs)
		err := b.withAPIOnce(ctx, label, replicas, mode, fn, extra...)
		if b.cl.allAlive() || attempt == 2 || ctx.Err() != nil {
			return err
		}
		b.runs = b.runs[:first]
		fmt.Fprintf(b.out, "  a database node died during %s (not stopped by the benchmark): restarting the cluster and repeating\n", label)
		b.retried = append(b.retried, label)
		if err := b.cl.script(ctx, "up"); err != nil {
			return err
		}
	}
}

func (b *bench) withAPIOnce(ctx context.Context, label string, replicas int, mode string, fn func(api *server, db string) error, extra ...string) error {
	db, err := b.cl.createDatabase(ctx, "teachtrack_bench_")
	if err != nil {
		return err
	}
	api, err := b.startAPI(ctx, label, db, replicas, mode, extra...)
	if err != nil {
		return err
	}
	defer api.stop()
	first := len(b.runs)
	err = fn(api, db)
	hwm, _ := peakRSS(api.cmd.Process.Pid)
	for _, r := range b.runs[first:] {
		if r.Result.Target == api.url {
			r.PeakRSSBytes = hwm
		}
	}
	return err
}

// routing: the same load under each read-your-writes mode, and with no
// replicas at all (everything on the primary); first with the three database
// nodes sharing the machine's cores, then (routing-capped) with each node
// capped at the same CPU share, as when each is a server of its own.
func (b *bench) routing(ctx context.Context) error {
	for _, capped := range []bool{false, true} {
		scenario, extra := "routing", []string(nil)
		if capped {
			// A capped primary commits slowly while users are set up: let writes wait.
			scenario, extra = "routing-capped", []string{"DB_WRITE_TIMEOUT=60s"}
		}
		for _, c := range []struct {
			name     string
			replicas int
			mode     string
		}{{"causal", 2, "causal"}, {"off", 2, "off"}, {"window", 2, "window"}, {"primary-only", 0, "causal"}} {
			err := b.withAPI(ctx, scenario+"-"+c.name, c.replicas, c.mode, func(api *server, _ string) error {
				run := func() error {
					_, err := b.load(ctx, scenario, c.name, api.url, "", mixDefault)
					return err
				}
				if capped {
					return b.withCaps(run)
				}
				return run()
			}, extra...)
			var skip errSkip
			if errors.As(err, &skip) {
				b.skipped[scenario] = skip.Error()
				fmt.Fprintln(b.out, "  skipped:", skip.Error())
				break
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// withCaps runs fn with each database process capped at b.dbCPU CPUs (its own
// cgroup). The caps are set on the nodes' current pids (a node restarted by
// withAPI's retry has a new one).
func (b *bench) withCaps(fn func() error) error {
	var pids []int
	for i := range 3 {
		pid, err := b.cl.pid(i)
		if err != nil {
			return err
		}
		pids = append(pids, pid)
	}
	caps, err := newCPUCaps(pids, b.dbCPU)
	if err != nil {
		return errSkip{err}
	}
	defer caps.release()
	fmt.Fprintf(b.out, "  each database process capped at %.2f CPU (cgroup %s)\n", b.dbCPU, caps.version)
	return fn()
}

// efficiency: the API against the reference server on the same database,
// GET-by-id alone and the mixed load. Each pair runs in the order API, ref,
// ref, API (the second runs named "-2"), so a machine that grows slower or
// faster during the scenario weighs on both alike; the ratio is of the two
// runs' mean req/s. The API's CPU is profiled while it serves its first run.
func (b *bench) efficiency(ctx context.Context) error {
	pprofAddr, err := freeAddr()
	if err != nil {
		return err
	}
	return b.withAPI(ctx, "efficiency", 2, "causal", func(api *server, db string) error {
		ref, err := b.startRef(ctx, db)
		if err != nil {
			return err
		}
		defer ref.stop()
		for _, c := range []struct{ name, mix string }{{"get-by-id", mixGetByID}, {"mixed", mixDefault}} {
			prof := b.profile(ctx, pprofAddr, "cpu-"+c.name)
			if _, err := b.load(ctx, "efficiency", "api-"+c.name, api.url, "", c.mix); err != nil {
				return err
			}
			prof()
			for _, name := range []string{"ref-" + c.name, "ref-" + c.name + "-2"} {
				if _, err := b.load(ctx, "efficiency", name, ref.url, api.url, c.mix); err != nil {
					return err
				}
			}
			if _, err := b.load(ctx, "efficiency", "api-"+c.name+"-2", api.url, "", c.mix); err != nil {
				return err
			}
		}
		b.heapProfile(ctx, pprofAddr)
		return nil
	}, "PPROF_ADDR="+pprofAddr)
}

// profile records a CPU profile of the API over most of the next run; the
// returned func waits for it and keeps its top 10.
func (b *bench) profile(ctx context.Context, addr, name string) func() {
	secs := max(int(b.dur.Seconds())-3, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Let the load generator set its users up first.
		time.Sleep(3 * time.Second)
		b.pprof[name] = b.pprofTop(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs), name)
	}()
	return func() { <-done }
}

func (b *bench) heapProfile(ctx context.Context, addr string) {
	b.pprof["heap"] = b.pprofTop(ctx, "http://"+addr+"/debug/pprof/heap", "heap")
}

// pprofTop fetches a profile and returns `go tool pprof -top` of it (10 nodes).
func (b *bench) pprofTop(ctx context.Context, url, name string) string {
	res, err := http.Get(url)
	if err != nil {
		return "profile unavailable: " + err.Error()
	}
	path := filepath.Join(b.tmp, name+".pprof")
	f, err := os.Create(path)
	if err == nil {
		_, err = io.Copy(f, res.Body)
		f.Close()
	}
	res.Body.Close()
	if err != nil {
		return "profile unavailable: " + err.Error()
	}
	args := []string{"tool", "pprof", "-top", "-nodecount=10"}
	if name == "heap" {
		args = append(args, "-sample_index=inuse_space")
	}
	out, err := exec.CommandContext(ctx, "go", append(args, b.apiBin, path)...).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("go tool pprof: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// scaling: read throughput with 0, 1 and 2 replicas, each database process
// capped at the same CPU share so each behaves like a small server of its own.
// READS_ON_PRIMARY puts the primary in the read rotation, so n replicas give
// n+1 read nodes (without it the primary idles on reads once a replica is up).
// The runs go 0, 1, 2, then 2, 1, 0 (named "-2"), and the ratio is of the
// means: a machine that drifts during the scenario weighs on both ends alike.
func (b *bench) scaling(ctx context.Context) error {
	for _, n := range []int{0, 1, 2, 2, 1, 0} {
		name := fmt.Sprintf("%d-replicas", n)
		if b.find("scaling", name) != nil {
			name += "-2"
		}
		// A capped primary commits slowly while users are set up: let writes wait.
		err := b.withAPI(ctx, "scaling-"+name, n, "causal", func(api *server, _ string) error {
			return b.withCaps(func() error {
				_, err := b.load(ctx, "scaling", name, api.url, "", mixReads)
				return err
			})
		}, "DB_WRITE_TIMEOUT=60s", "READS_ON_PRIMARY=true")
		var skip errSkip
		if errors.As(err, &skip) {
			b.skipped["scaling"] = skip.Error()
			fmt.Fprintln(b.out, "  skipped:", skip.Error())
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// find returns the run scenario/name made so far, or nil.
func (b *bench) find(scenario, name string) *runResult { return findRun(b.runs, scenario, name) }

// findRun returns run scenario/name among runs, or nil.
func findRun(runs []*runResult, scenario, name string) *runResult {
	for _, x := range runs {
		if x.Scenario == scenario && x.Name == name {
			return x
		}
	}
	return nil
}

// errSkip says why a scenario can't run here.
type errSkip struct{ error }
