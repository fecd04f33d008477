package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// report is the summary of a bench run: every run plus the derived ratios
// and targets (summary.json).
type report struct {
	Date    string            `json:"date"`
	Machine machine           `json:"machine"`
	Users   int               `json:"users"`
	Seconds float64           `json:"seconds_per_run"`
	DBCPU   float64           `json:"db_cpu_cap"`
	Runs    []*runResult      `json:"runs"`
	Targets []target          `json:"targets"`
	Skipped map[string]string `json:"skipped,omitempty"`
	Pprof   map[string]string `json:"pprof,omitempty"`
	// Retried lists runs repeated because a database node died under them.
	Retried []string `json:"retried,omitempty"`
	// Note is what the person running the bench said of the conditions (-note).
	Note string `json:"note,omitempty"`
}

type machine struct {
	CPUs     int    `json:"cpus"`
	CPU      string `json:"cpu_model"`
	MemoryGB string `json:"memory"`
	Kernel   string `json:"kernel"`
	Go       string `json:"go"`
	MariaDB  string `json:"mariadb"`
}

type target struct {
	Name   string `json:"name"`
	Want   string `json:"want"`
	Got    string `json:"got"`
	Met    bool   `json:"met"`
	Ran    bool   `json:"ran"`
	Remark string `json:"remark,omitempty"`
}

func (b *bench) report() *report {
	r := &report{Date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), Machine: describeMachine(), Users: b.users,
		Seconds: b.dur.Seconds(), DBCPU: b.dbCPU, Runs: b.runs, Skipped: b.skipped, Pprof: b.pprof, Retried: b.retried, Note: b.note}
	r.Targets = r.evaluate()
	return r
}

func (r *report) find(scenario, name string) *runResult { return findRun(r.Runs, scenario, name) }

func (r *report) evaluate() []target {
	var ts []target
	if c := r.find("routing", "causal"); c != nil {
		res := c.Result
		t := target{Name: "read offload (causal)", Want: "≥ 90% of SELECT statements on replicas (write requests' included), 0 stale reads", Ran: true,
			Got: fmt.Sprintf("%.1f%% of SELECT statements, %.1f%% of GET requests on replicas; %d stale of %d checks",
				100*res.ReplicaReadShare, 100*res.ReplicaRequestShare(), res.StaleReads, res.Checks)}
		t.Met = res.ReplicaReadShare >= 0.90 && res.StaleReads == 0
		t.Remark = "db_queries_total counts every SELECT, including those a write request must run on the primary " +
			"(the subject lock, the recount, re-reading the row it changed)."
		ts = append(ts, t)
	}
	if t, ok := r.rywCost(); ok {
		ts = append(ts, t)
	}
	if s0, s2 := r.meanRPS("scaling", "0-replicas"), r.meanRPS("scaling", "2-replicas"); s0 > 0 && s2 > 0 {
		ratio := s2 / s0
		ts = append(ts, target{Name: "read scaling", Want: "2 replicas ≥ 2.5× one node (equal CPU caps)", Ran: true,
			Got: fmt.Sprintf("%.2f× (%.0f vs %.0f req/s, mean of the runs 0, 1, 2, 2, 1, 0 replicas)", ratio, s2, s0), Met: ratio >= 2.5,
			Remark: "With healthy replicas the primary serves no reads, so 2 replicas are 2 read nodes: ~2× is the ceiling of this design."})
	} else {
		ts = append(ts, target{Name: "read scaling", Want: "2 replicas ≥ 2.5× one node (equal CPU caps)", Got: "not run: " + r.Skipped["scaling"]})
	}
	for _, n := range []string{"get-by-id", "mixed"} {
		api, ref := r.meanRPS("efficiency", "api-"+n), r.meanRPS("efficiency", "ref-"+n)
		if api == 0 || ref == 0 {
			continue
		}
		ratio := api / ref
		ts = append(ts, target{Name: "efficiency " + n, Want: "API ≥ 80% of the reference server's req/s", Ran: true,
			Got: fmt.Sprintf("%.0f%% (%.0f vs %.0f req/s, mean of 2 runs each, run API, ref, ref, API)", 100*ratio, api, ref), Met: ratio >= 0.8})
	}
	if si := r.find("signin", "burst-64"); si != nil {
		res := si.Result
		ts = append(ts, target{Name: "sign-in bursts", Want: fmt.Sprintf("%d simultaneous sign-ins at bcrypt cost 12 all succeed", signinBurst), Ran: true,
			Got: fmt.Sprintf("%d of %d in %d bursts; p50 %.0f ms, p99 %.0f ms; %.1f sign-ins/s",
				res.All.Count, res.All.Count+res.All.Errors, signinRounds, res.All.P50ms, res.All.P99ms, res.RPS),
			Met:    res.All.Errors == 0 && res.All.Count > 0,
			Remark: "bcrypt runs one hash per core in a queue, outside the database deadline: the rate is the machine's hashing rate (about cores ÷ 0.3 s at cost 12, less when other work shares the cores)."})
	}
	if wk := r.find("week", "teacher-week"); wk != nil {
		mib := float64(wk.PeakRSSBytes) / (1 << 20)
		ts = append(ts, target{Name: "teacher's week", Want: "every call of the week mix succeeds, API RSS ≤ 64 MiB", Ran: true,
			Got: fmt.Sprintf("%d calls, %d failed; %.1f MiB (VmHWM)", wk.Result.All.Count, wk.Result.All.Errors, mib),
			Met: wk.Result.All.Errors == 0 && wk.Result.All.Count > 0 && mib <= 64})
	}
	if c := r.find("routing", "causal"); c != nil && c.PeakRSSBytes > 0 {
		mib := float64(c.PeakRSSBytes) / (1 << 20)
		ts = append(ts, target{Name: "API peak RSS", Want: "≤ 64 MiB under the default load", Ran: true,
			Got: fmt.Sprintf("%.1f MiB (VmHWM, routing/causal)", mib), Met: mib <= 64})
	}
	return ts
}

func (r *report) table(w io.Writer) {
	fmt.Fprintf(w, "%-11s %-15s %8s %8s %8s %9s %9s %11s %7s %8s\n", "scenario", "run", "req/s", "p50 ms", "p99 ms",
		"repl stm", "repl GET", "stale", "errors", "RSS MiB")
	for _, x := range r.Runs {
		res := x.Result
		fmt.Fprintf(w, "%-11s %-15s %8.0f %8.2f %8.2f %9s %9s %11s %7d %8s\n", x.Scenario, x.Name, res.RPS, res.All.P50ms, res.All.P99ms,
			pct(res.ReplicaReadShare), pct(res.ReplicaRequestShare()), fmt.Sprintf("%d/%d", res.StaleReads, res.Checks), res.All.Errors, mib(x.PeakRSSBytes))
	}
}

func (r *report) targets(w io.Writer) {
	fmt.Fprintln(w, "\ntargets:")
	for _, t := range r.Targets {
		fmt.Fprintf(w, "  %-4s %-22s want %s; got %s\n", verdict(t), t.Name, t.Want, t.Got)
	}
}

func verdict(t target) string {
	switch {
	case !t.Ran:
		return "SKIP"
	case t.Met:
		return "MET"
	}
	return "MISS"
}

func pct(f float64) string {
	if f < 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*f)
}

func mib(b int64) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", float64(b)/(1<<20))
}

// write saves every run's JSON, the summary, the charts and the README.
func (b *bench) write(r *report) error {
	if err := os.MkdirAll(b.resultsDir, 0o755); err != nil {
		return err
	}
	for _, x := range r.Runs {
		if err := x.Result.WriteJSON(filepath.Join(b.resultsDir, x.Scenario+"-"+x.Name+".json")); err != nil {
			return err
		}
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(b.resultsDir, "summary.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	charts, err := writeCharts(r, b.resultsDir)
	if err != nil {
		return err
	}
	if err := os.WriteFile(b.readme, []byte(r.markdown(b.readme, b.resultsDir, charts)), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "\nwrote %s/*.json, %d charts and %s\n", b.resultsDir, len(charts), b.readme)
	return nil
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb); err == nil {
			m.MemoryGB = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("mariadbd", "--version").Output(); err == nil {
		m.MariaDB = strings.TrimSpace(string(out))
	} else if out, err := exec.Command("/usr/sbin/mariadbd", "--version").Output(); err == nil {
		m.MariaDB = strings.TrimSpace(string(out))
	}
	return m
}

// rywCost is the read-your-writes target: causal against off (throughput,
// stale reads) on shared and on capped CPUs, and its p99 against primary-only
// where each node has a CPU of its own (routing-capped). With the three nodes
// sharing the cores, primary-only is one server with the whole machine while
// the replicas' CPU sits beside it unused, so its tail there says how the
// machine is shared, not what read-your-writes costs; both are shown.
func (r *report) rywCost() (target, bool) {
	t := target{Name: "read-your-writes cost", Want: "causal ≥ 0.9× off's good answers/s, 0 stale reads, p99 ≤ primary-only's (nodes on equal CPU caps)"}
	type runs struct{ c, off, po *runResult }
	get := func(sc string) (runs, bool) {
		x := runs{r.find(sc, "causal"), r.find(sc, "off"), r.find(sc, "primary-only")}
		return x, x.c != nil && x.off != nil && x.po != nil && goodRPS(x.off) > 0
	}
	describe := func(x runs) string {
		return fmt.Sprintf("%.2f× (%.0f vs %.0f good answers/s; all answers %.0f vs %.0f req/s); %d stale; p99 %.0f vs %.0f ms",
			goodRPS(x.c)/goodRPS(x.off), goodRPS(x.c), goodRPS(x.off), x.c.Result.RPS, x.off.Result.RPS,
			x.c.Result.StaleReads, x.c.Result.All.P99ms, x.po.Result.All.P99ms)
	}
	shared, okShared := get("routing")
	capped, okCapped := get("routing-capped")
	if !okShared && !okCapped {
		return t, false
	}
	t.Ran, t.Met = true, okCapped
	var got []string
	if okCapped {
		got = append(got, "capped: "+describe(capped))
		t.Met = goodRPS(capped.c) >= 0.9*goodRPS(capped.off) && capped.c.Result.StaleReads == 0 &&
			capped.c.Result.All.P99ms <= capped.po.Result.All.P99ms
	} else {
		got = append(got, "capped: not run ("+r.Skipped["routing-capped"]+")")
	}
	if okShared {
		got = append(got, "shared CPUs: "+describe(shared))
		t.Met = t.Met && goodRPS(shared.c) >= 0.9*goodRPS(shared.off) && shared.c.Result.StaleReads == 0
	}
	t.Got = strings.Join(got, " · ")
	t.Remark = "causal adds one position read on the primary per write and, on the read that follows it, a MASTER_GTID_WAIT (or a quick " +
		"position read) on a replica; the per-operation p50/p99 in results/routing-causal.json beside routing-off.json show whether " +
		"those reads or the whole run were slower (a uniformly slower run is the machine, not the mode)."
	return t, true
}

// goodRPS is a run's answers per second that were what the load generator
// wanted: off's stale reads answer 404 for what exists, fast, and a wrong
// answer is not throughput.
func goodRPS(x *runResult) float64 {
	res := x.Result
	if res.DurationS <= 0 {
		return 0
	}
	return float64(max(res.All.Count-res.All.Errors, 0)) / res.DurationS
}

// meanRPS is the mean req/s of run name and its repeat name-2 (of those found).
func (r *report) meanRPS(scenario, name string) float64 {
	var sum float64
	var n int
	for _, x := range []*runResult{r.find(scenario, name), r.find(scenario, name+"-2")} {
		if x != nil {
			sum += x.Result.RPS
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// rerender writes the report, its targets and its charts again from the
// results of the last run (summary.json), running nothing: `go run
// ./cmd/bench report` after a change to how the report is written or judged.
func rerender(resultsDir, readme string, out io.Writer) error {
	data, err := os.ReadFile(filepath.Join(resultsDir, "summary.json"))
	if err != nil {
		return err
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(resultsDir, "summary.json"), err)
	}
	r.Targets = r.evaluate()
	b := &bench{env: &env{out: out}, resultsDir: resultsDir, readme: readme}
	if err := b.write(&r); err != nil {
		return err
	}
	r.targets(out)
	return nil
}
