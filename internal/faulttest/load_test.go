package faulttest_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// loadStats counts what a load saw. Reads are GET /auth/me; writes PATCH
// /auth/me of the same user, so every read can be checked against the
// user's own last write (read-your-writes).
type loadStats struct {
	mu       sync.Mutex
	writing  bool // the users write as well as read
	writes   int
	reads    int
	stale    int
	failed   int
	byNode   map[string]int // reads per serving node since the last resetNodes
	failures []string
	maxTook  time.Duration
}

func (s *loadStats) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed++
	if len(s.failures) < 10 {
		s.failures = append(s.failures, fmt.Sprintf(format, args...))
	}
}

func (s *loadStats) read(r result, stale bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	s.byNode[r.node]++
	s.maxTook = max(s.maxTook, r.took)
	if stale {
		s.stale++
	}
}

func (s *loadStats) resetNodes() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byNode = map[string]int{}
}

func (s *loadStats) nodes() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.byNode {
		out[k] = v
	}
	return out
}

// check fails t on any failed or stale request and logs the figures.
func (s *loadStats) check(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Logf("load: %d writes, %d reads (%d stale, %d failed), slowest read %s", s.writes, s.reads, s.stale, s.failed, s.maxTook)
	if s.failed != 0 {
		t.Errorf("%d requests failed, want 0; first: %v", s.failed, s.failures)
	}
	if s.stale != 0 {
		t.Errorf("%d reads showed an older value than the user's own last write, want 0", s.stale)
	}
	if s.reads == 0 || (s.writing && s.writes == 0) {
		t.Errorf("the load made %d reads and %d writes: it proved nothing", s.reads, s.writes)
	}
}

// readYourWritesLoad makes each user write its name and read it back, over
// and over, until stop is closed; wait blocks until every user has stopped.
// writes=false makes the users only read (the name they have).
func readYourWritesLoad(a *api, users []*user, writes bool, stop <-chan struct{}) (stats *loadStats, wait func()) {
	stats = &loadStats{byNode: map[string]int{}, writing: writes}
	var wg sync.WaitGroup
	ctx := context.Background()
	for _, u := range users {
		wg.Go(func() {
			want := "Load user"
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				if writes {
					name := fmt.Sprintf("name %d of %d", k, u.id)
					res := a.do(ctx, u.token, "PATCH", "/api/v1/auth/me", map[string]string{"full_name": name})
					if res.err != nil || res.status != http.StatusOK {
						stats.fail("PATCH as %d: %d %v %s", u.id, res.status, res.err, res.body)
						continue
					}
					stats.mu.Lock()
					stats.writes++
					stats.mu.Unlock()
					want = name
				}
				res := a.do(ctx, u.token, "GET", "/api/v1/auth/me", nil)
				if res.err != nil || res.status != http.StatusOK {
					stats.fail("GET as %d: %d %v %s", u.id, res.status, res.err, res.body)
					continue
				}
				stats.read(res, res.fullName != want)
			}
		})
	}
	return stats, wg.Wait
}
