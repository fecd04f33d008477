package loadgen

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a run.
type Options struct {
	URL        string // the server the mix runs against
	SetupURL   string // where users register and sign in (default URL)
	MetricsURL string // Prometheus text to read db_queries_total from (default URL/metrics; "-" for none)
	Users      int
	Duration   time.Duration
	Mix        *Mix
	// Rate caps the total requests per second (0: every user goes as fast as
	// the server answers). Soak tests use it to hold a steady load.
	Rate float64
	// Subjects each user creates before the measured phase; the tree of each.
	Subjects, Strands, SubStrands, Lessons int
	MaxSubjects                            int // stay under MAX_SUBJECTS_PER_USER and the plan limit (6 on individual plans)
	// Progress receives a line every ProgressEvery while the run goes (nil: none).
	Progress      io.Writer
	ProgressEvery time.Duration
	// Log receives the first few stale reads, for diagnosis (nil: none).
	Log io.Writer
	// Label names the run in its result (e.g. the scenario).
	Label string
	// OnStart is called when setup is done and the measured phase begins.
	OnStart func()
}

// gen is one run's shared state.
type gen struct {
	opts   Options
	runID  string
	client *http.Client

	deadline time.Time

	requests, failed, checks, stale atomic.Int64
}

// Run sets the users up, runs the mix for Duration and returns the figures.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Users <= 0 || o.Duration <= 0 || o.Mix == nil || o.URL == "" {
		return nil, errors.New("loadgen: URL, Users, Duration and Mix are required")
	}
	o.URL = strings.TrimRight(o.URL, "/")
	if o.SetupURL == "" {
		o.SetupURL = o.URL
	}
	o.SetupURL = strings.TrimRight(o.SetupURL, "/")
	if o.MetricsURL == "" {
		o.MetricsURL = o.URL + "/metrics"
	}
	if o.Subjects <= 0 {
		o.Subjects = 2
	}
	if o.Strands <= 0 {
		o.Strands = 2
	}
	if o.SubStrands <= 0 {
		o.SubStrands = 2
	}
	if o.Lessons <= 0 {
		o.Lessons = 3
	}
	if o.MaxSubjects <= 0 {
		o.MaxSubjects = 6
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 2 * time.Second
	}
	var b [4]byte
	_, _ = crand.Read(b[:])
	g := &gen{opts: o, runID: hex.EncodeToString(b[:]), client: newClient(o.Users)}
	defer g.client.CloseIdleConnections()

	// Setup: every user at once, at most 16 in flight (sign-ups hash passwords).
	setupStart := time.Now()
	vus := make([]*vu, o.Users)
	errs := make([]error, o.Users)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range vus {
		vus[i] = &vu{g: g, ctx: ctx, id: i + 1, base: o.URL, rng: rand.New(rand.NewPCG(uint64(i)+1, uint64(time.Now().UnixNano()))), rec: newRecorder()}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = vus[i].setup(o.SetupURL, o.Subjects)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("setting up %d users: %w", o.Users, firstErr(errs))
	}
	setup := time.Since(setupStart)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, v := range vus {
		// Setup's own requests are not part of the measured figures.
		v.rec = newRecorder()
	}
	g.requests.Store(0)
	g.failed.Store(0)
	g.checks.Store(0)
	g.stale.Store(0)

	before, _ := scrape(ctx, g.client, o.MetricsURL)
	// Requests keep ctx: the ones in flight at the deadline finish normally
	// rather than being cancelled and counted as errors.
	if o.OnStart != nil {
		o.OnStart()
	}
	start := time.Now()
	g.deadline = start.Add(o.Duration)
	runCtx, cancel := context.WithDeadline(ctx, g.deadline)
	defer cancel()
	stopProgress := g.progress(runCtx, start)
	for _, v := range vus {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.loop()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()
	after, _ := scrape(ctx, g.client, o.MetricsURL)
	return g.result(vus, elapsed, setup, before, after), nil
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// loop runs the mix until the run ends, paced when a rate is set.
func (v *vu) loop() {
	var interval time.Duration
	if v.g.opts.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(v.g.opts.Users) / v.g.opts.Rate)
	}
	// Spread users over the first interval so paced requests don't arrive in waves.
	next := time.Now().Add(time.Duration(v.rng.Int64N(int64(interval) + 1)))
	for v.ctx.Err() == nil && time.Now().Before(v.g.deadline) {
		if interval > 0 {
			if d := time.Until(next); d > 0 {
				if next.After(v.g.deadline) {
					return
				}
				select {
				case <-time.After(d):
				case <-v.ctx.Done():
					return
				}
			} else if -d > time.Second {
				next = time.Now() // far behind: don't burst to catch up
			}
			next = next.Add(interval)
		}
		v.step(v.g.opts.Mix.pick(v.rng))
	}
}

// progress prints a line every ProgressEvery until stopped.
func (g *gen) progress(ctx context.Context, start time.Time) func() {
	if g.opts.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	t := time.NewTicker(g.opts.ProgressEvery)
	go func() {
		defer close(done)
		defer t.Stop()
		var last int64
		lastAt := start
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				n := g.requests.Load()
				fmt.Fprintf(g.opts.Progress, "  %-14s %5.0fs  %8d req  %7.0f req/s  errors %d  stale %d\n",
					g.opts.Label, now.Sub(start).Seconds(), n, float64(n-last)/now.Sub(lastAt).Seconds(), g.failed.Load(), g.stale.Load())
				last, lastAt = n, now
			}
		}
	}()
	return func() { <-done }
}

func (g *gen) result(vus []*vu, elapsed, setup time.Duration, before, after *Metrics) *Result {
	secs := elapsed.Seconds()
	r := &Result{
		Label: g.opts.Label, Target: g.opts.URL, Users: g.opts.Users, Mix: g.opts.Mix.String(), Rate: g.opts.Rate,
		DurationS: secs, SetupS: setup.Seconds(), Ops: map[string]OpStats{}, Errors: map[string]int64{},
		Checks: g.checks.Load(), StaleReads: g.stale.Load(),
	}
	lat := map[string][]time.Duration{}
	opErrs := map[string]int64{}
	var reads, writes, all []time.Duration
	var readErrs, writeErrs int64
	for _, v := range vus {
		for op, l := range v.rec.lat {
			lat[op] = append(lat[op], l...)
			all = append(all, l...)
			if IsWrite(op) {
				writes = append(writes, l...)
			} else {
				reads = append(reads, l...)
			}
		}
		for op, m := range v.rec.errs {
			for status, n := range m {
				opErrs[op] += n
				r.Errors[status] += n
				if IsWrite(op) {
					writeErrs += n
				} else {
					readErrs += n
				}
			}
		}
	}
	ops := make([]string, 0, len(lat))
	for op := range lat {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		r.Ops[op] = summarize(lat[op], opErrs[op], secs)
	}
	r.Reads = summarize(reads, readErrs, secs)
	r.Writes = summarize(writes, writeErrs, secs)
	r.All = summarize(all, readErrs+writeErrs, secs)
	r.Requests, r.RPS = r.All.Count, r.All.RPS
	r.setStatements(before, after)
	r.ReadRequestsByNode = map[string]int64{}
	for _, v := range vus {
		for node, n := range v.rec.nodes {
			r.ReadRequestsByNode[node] += n
		}
	}
	return r
}
