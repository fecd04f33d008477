package loadgen

import (
	"slices"
	"time"
)

// recorder keeps one virtual user's latencies and errors; they are merged
// after the run, so recording takes no lock.
type recorder struct {
	lat  map[string][]time.Duration
	errs map[string]map[string]int64 // op → status → count
	// nodes counts read requests by the X-DB-Node that served them.
	nodes map[string]int64
}

func newRecorder() *recorder {
	return &recorder{lat: map[string][]time.Duration{}, errs: map[string]map[string]int64{}, nodes: map[string]int64{}}
}

func (r *recorder) observe(op string, d time.Duration) { r.lat[op] = append(r.lat[op], d) }

func (r *recorder) fail(op, status string) {
	m := r.errs[op]
	if m == nil {
		m = map[string]int64{}
		r.errs[op] = m
	}
	m[status]++
}

// OpStats are one operation's figures over the measured phase.
type OpStats struct {
	Count  int64   `json:"count"`
	RPS    float64 `json:"rps"`
	P50ms  float64 `json:"p50_ms"`
	P95ms  float64 `json:"p95_ms"`
	P99ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
	Errors int64   `json:"errors"`
}

func summarize(lat []time.Duration, errors int64, secs float64) OpStats {
	s := OpStats{Count: int64(len(lat)), Errors: errors}
	if secs > 0 {
		s.RPS = float64(len(lat)) / secs
	}
	if len(lat) == 0 {
		return s
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		i := int(p*float64(len(lat))+0.5) - 1
		i = min(max(i, 0), len(lat)-1)
		return float64(lat[i].Microseconds()) / 1000
	}
	s.P50ms, s.P95ms, s.P99ms = q(0.50), q(0.95), q(0.99)
	s.MaxMs = float64(lat[len(lat)-1].Microseconds()) / 1000
	return s
}
