package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// writeCharts draws throughput and p99 per run, and the read scaling curve.
// It returns the file names written (relative to dir).
func writeCharts(r *report, dir string) ([]string, error) {
	var names []string
	var rps, p99 []barRow
	for _, x := range r.Runs {
		if x.Scenario == "signin" {
			continue // seconds of queued bcrypt on one scale with milliseconds would flatten every other bar
		}
		ref := strings.HasPrefix(x.Name, "ref-")
		label := strings.TrimPrefix(strings.TrimPrefix(x.Name, "ref-"), "api-")
		if x.Scenario == "efficiency" {
			label = map[bool]string{true: "reference ", false: "API "}[ref] + label
		}
		rps = append(rps, barRow{group: x.Scenario, label: label, value: x.Result.RPS, ref: ref})
		p99 = append(p99, barRow{group: x.Scenario, label: label, value: x.Result.All.P99ms, ref: ref})
	}
	if len(rps) > 0 {
		for _, c := range []struct {
			file, title, unit string
			rows              []barRow
		}{
			{"throughput.svg", "Throughput per run, grouped by scenario (higher is better)", "req/s", rps},
			{"p99.svg", "p99 latency per run, all requests (lower is better)", "ms", p99},
		} {
			if err := groupedBars(filepath.Join(dir, c.file), c.title, c.unit, c.rows); err != nil {
				return nil, err
			}
			names = append(names, c.file)
		}
	}
	var pts plotter.XYs
	for n := range 3 {
		if rps := r.meanRPS("scaling", fmt.Sprintf("%d-replicas", n)); rps > 0 {
			nodes := float64(max(n, 1))
			pts = append(pts, plotter.XY{X: nodes + 0.001*float64(n), Y: rps})
		}
	}
	if len(pts) > 0 {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("Read scaling (each database capped at %.2f CPU)", r.DBCPU)
		p.X.Label.Text = "nodes serving reads (0 replicas: the primary)"
		p.Y.Label.Text = "read requests/s"
		p.Y.Min = 0
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		p.Add(line, points, plotter.NewGrid())
		if len(pts) > 0 {
			ideal := plotter.XYs{{X: 1, Y: pts[0].Y}, {X: 2, Y: 2 * pts[0].Y}}
			l, err := plotter.NewLine(ideal)
			if err != nil {
				return nil, err
			}
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(4)}
			p.Add(l)
			p.Legend.Add("measured", line, points)
			p.Legend.Add("linear", l)
			p.Legend.Top, p.Legend.Left = true, true
		}
		if err := p.Save(6*vg.Inch, 4*vg.Inch, filepath.Join(dir, "scaling.svg")); err != nil {
			return nil, err
		}
		names = append(names, "scaling.svg")
	}
	return names, nil
}
