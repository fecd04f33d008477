package main

import (
	"testing"

	"github.com/teachtrack/api/bench/loadgen"
)

// TestReadYourWritesCost judges the target from made-up runs: answers that
// failed (off's stale 404s) are not throughput, and the p99 is compared
// with primary-only's where each node has a CPU cap of its own.
func TestReadYourWritesCost(t *testing.T) {
	run := func(scenario, name string, count, errs int64, p99 float64) *runResult {
		return &runResult{Scenario: scenario, Name: name, Result: &loadgen.Result{DurationS: 10, RPS: float64(count) / 10,
			All: loadgen.OpStats{Count: count, Errors: errs, P99ms: p99}}}
	}
	for _, c := range []struct {
		name string
		runs []*runResult
		met  bool
	}{
		{"off faster only by its stale 404s", []*runResult{
			run("routing", "causal", 5000, 0, 150), run("routing", "off", 5100, 0, 140), run("routing", "primary-only", 5200, 0, 120),
			run("routing-capped", "causal", 3400, 0, 380), run("routing-capped", "off", 3800, 800, 370), run("routing-capped", "primary-only", 1100, 0, 790),
		}, true},
		{"causal slower in good answers", []*runResult{
			run("routing", "causal", 4000, 0, 150), run("routing", "off", 5100, 0, 140), run("routing", "primary-only", 5200, 0, 120),
			run("routing-capped", "causal", 3400, 0, 380), run("routing-capped", "off", 3800, 0, 370), run("routing-capped", "primary-only", 1100, 0, 790),
		}, false},
		{"capped tail worse than primary-only", []*runResult{
			run("routing", "causal", 5000, 0, 150), run("routing", "off", 5100, 0, 140), run("routing", "primary-only", 5200, 0, 120),
			run("routing-capped", "causal", 3400, 0, 800), run("routing-capped", "off", 3500, 0, 370), run("routing-capped", "primary-only", 1100, 0, 790),
		}, false},
		{"the shared tail is shown, not judged", []*runResult{
			run("routing", "causal", 5000, 0, 180), run("routing", "off", 5100, 0, 160), run("routing", "primary-only", 5200, 0, 120),
			run("routing-capped", "causal", 3400, 0, 380), run("routing-capped", "off", 3500, 0, 370), run("routing-capped", "primary-only", 1100, 0, 790),
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &report{Runs: c.runs}
			got, ok := r.rywCost()
			if !ok || !got.Ran || got.Met != c.met {
				t.Errorf("rywCost() = %+v, %v; want met %v", got, ok, c.met)
			}
		})
	}
}
