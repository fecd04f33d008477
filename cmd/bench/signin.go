package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/teachtrack/api/bench/loadgen"
)

// signinBurst is how many teachers sign in at the same moment (a school at
// 8 a.m.), and signinRounds how many such bursts are measured.
const (
	signinBurst  = 64
	signinRounds = 2
)

// signin: bursts of simultaneous sign-ins of seeded teachers at the production bcrypt cost (the
// API's default, 12) and the default DB_WRITE_TIMEOUT. Every one must
// succeed; the row gives their p50/p99 and the sign-ins per second the
// machine sustains (bcrypt-bound: about cores / 0.3 s).
func (b *bench) signin(ctx context.Context) error {
	return b.withAPI(ctx, "signin", 2, "causal", func(api *server, db string) error {
		emails := make([]string, signinBurst)
		for i := range emails {
			emails[i] = fmt.Sprintf("burst%d@bench.example", i)
		}
		// Seeded with one hash for all: only the sign-ins are measured.
		if err := b.seedUsers(ctx, db, emails, "burst-password-1"); err != nil {
			return err
		}
		var lat []time.Duration
		res := &loadgen.Result{Label: "signin/burst-64", Target: api.url, Users: signinBurst, Mix: "login=1",
			Ops: map[string]loadgen.OpStats{}, Errors: map[string]int64{}, ReplicaReadShare: -1}
		var took time.Duration
		for round := range signinRounds {
			r, d := burst(ctx, emails, func(email string) (*http.Request, error) {
				return jsonRequest(ctx, api.url+"/api/v1/auth/login", map[string]string{"email": email, "password": "burst-password-1"})
			}, http.StatusOK)
			fmt.Fprintf(b.out, "  burst %d: %d sign-ins in %s, %d failed %v\n", round+1, signinBurst, d.Round(time.Millisecond), r.failed, r.statuses)
			lat = append(lat, r.lat...)
			took += d
			res.All.Errors += int64(r.failed)
			for st, n := range r.statuses {
				res.Errors[st] += int64(n)
			}
		}
		res.Requests, res.DurationS = int64(len(lat)), took.Seconds()
		res.RPS = float64(len(lat)) / took.Seconds()
		res.All = opStats(lat, res.All.Errors, took.Seconds())
		res.Ops["login"] = res.All
		fmt.Fprintf(b.out, "  signin/burst-64: %.1f sign-ins/s, p50 %.0f ms, p99 %.0f ms, errors %d\n", res.RPS, res.All.P50ms, res.All.P99ms, res.All.Errors)
		b.runs = append(b.runs, &runResult{Scenario: "signin", Name: "burst-64", Result: res})
		return nil
	}, "BCRYPT_COST=12")
}

// seedUsers inserts active teachers with these emails and password (hashed
// once, at cost 12) into database db, on the primary.
func (b *bench) seedUsers(ctx context.Context, db string, emails []string, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), 12)
	if err != nil {
		return err
	}
	conn, err := b.appDB(db)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, email := range emails {
		if _, err := conn.ExecContext(ctx, "INSERT INTO users (email, password_hash, full_name, role, is_active, email_verified) VALUES (?, ?, 'Burst Teacher', 'TEACHER', TRUE, TRUE)",
			email, string(hash)); err != nil {
			return fmt.Errorf("seeding users: %w", err)
		}
	}
	return nil
}

// appDB opens database db on the bench cluster's primary as the API's own
// account, for arranging data the API's endpoints don't (seeded users, plans).
func (b *bench) appDB(db string) (*sql.DB, error) {
	return sql.Open("mysql", fmt.Sprintf("teachtrack:teachtrack-dev@tcp(127.0.0.1:%d)/%s", b.cl.ports[0], db))
}

// burstResult is one burst: latencies of the answers with the wanted status,
// and the others by status.
type burstResult struct {
	lat      []time.Duration
	failed   int
	statuses map[string]int
}

// burst sends one request per email, all released at the same instant, and
// returns how they went and how long the whole burst took.
func burst(ctx context.Context, emails []string, req func(email string) (*http.Request, error), want int) (burstResult, time.Duration) {
	out := burstResult{statuses: map[string]int{}}
	var mu sync.Mutex
	start := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 2 * time.Minute}
	for _, email := range emails {
		wg.Go(func() {
			r, err := req(email)
			<-start
			t0 := time.Now()
			status := "net"
			if err == nil {
				var res *http.Response
				if res, err = client.Do(r); err == nil {
					res.Body.Close()
					status = fmt.Sprint(res.StatusCode)
					if res.StatusCode == want {
						status = ""
					}
				}
			}
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if status == "" {
				out.lat = append(out.lat, d)
			} else {
				out.failed++
				out.statuses[status]++
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	return out, time.Since(t0)
}

func jsonRequest(ctx context.Context, url string, body any) (*http.Request, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err == nil {
		r.Header.Set("Content-Type", "application/json")
	}
	return r, err
}

// opStats summarises latencies as the load generator does.
func opStats(lat []time.Duration, errors int64, secs float64) loadgen.OpStats {
	s := loadgen.OpStats{Count: int64(len(lat)), Errors: errors}
	if len(lat) == 0 {
		return s
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		i := min(max(int(p*float64(len(lat))+0.5)-1, 0), len(lat)-1)
		return float64(lat[i].Microseconds()) / 1000
	}
	s.RPS = float64(len(lat)) / secs
	s.P50ms, s.P95ms, s.P99ms, s.MaxMs = q(0.5), q(0.95), q(0.99), q(1)
	return s
}
