package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestChartsLegible draws the charts of the committed results: every run has
// its own row (no two labels share a height), the API and the reference
// server are drawn in two colours, and runs are grouped by scenario.
func TestChartsLegible(t *testing.T) {
	data, err := os.ReadFile("../../bench/results/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := writeCharts(&r, dir); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "throughput.svg"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	labels := regexp.MustCompile(`<text x="\d+" y="(\d+)" text-anchor="end"`).FindAllStringSubmatch(s, -1)
	if len(labels) != len(r.Runs) {
		t.Fatalf("%d run labels for %d runs", len(labels), len(r.Runs))
	}
	seen := map[string]bool{}
	for _, l := range labels {
		if seen[l[1]] {
			t.Errorf("two labels at y=%s", l[1])
		}
		seen[l[1]] = true
	}
	for _, c := range []string{colourAPI, colourRef} {
		if !strings.Contains(s, `fill="`+c+`"><title>`) {
			t.Errorf("no bar in %s", c)
		}
	}
	for _, g := range []string{"routing", "efficiency", "scaling"} {
		if !strings.Contains(s, `font-weight="bold" font-size="14">`+g+`<`) {
			t.Errorf("no group heading %q", g)
		}
	}
	if os.Getenv("CHART_OUT") != "" {
		_ = os.WriteFile(os.Getenv("CHART_OUT"), svg, 0o644)
	}
}
