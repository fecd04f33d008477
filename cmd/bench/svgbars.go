package main

import (
	"fmt"
	"html"
	"os"
	"strings"
)

// barRow is one bar of a grouped bar chart.
type barRow struct {
	group, label string
	value        float64
	ref          bool // the reference server's run: drawn in the second colour
}

// Colours: the API and the reference server, told apart at a glance (and
// in grey scale: one dark, one light).
const (
	colourAPI = "#1f5fa8"
	colourRef = "#f0a03c"
)

// groupedBars writes an SVG of horizontal bars, one row per run, grouped
// under their scenario's name, with the run's name left of its bar and the
// value right of it, so no label can overlap another whatever the number of
// runs. unit follows each value ("req/s", "ms").
func groupedBars(path, title, unit string, rows []barRow) error {
	const (
		width, labelW, valueW = 760, 170, 90
		rowH, groupH, top     = 22, 26, 58
	)
	maxV := 0.0
	for _, r := range rows {
		maxV = max(maxV, r.value)
	}
	if maxV <= 0 {
		maxV = 1
	}
	barW := float64(width - labelW - valueW - 20)
	var b strings.Builder
	y := top
	prev := ""
	for _, r := range rows {
		if r.group != prev {
			if prev != "" {
				y += 8
			}
			fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold" font-size="14">%s</text>`+"\n", y+16, html.EscapeString(r.group))
			fmt.Fprintf(&b, `<line x1="10" x2="%d" y1="%d" y2="%d" stroke="#ccc"/>`+"\n", width-10, y+groupH-4, y+groupH-4)
			y += groupH
			prev = r.group
		}
		colour := colourAPI
		if r.ref {
			colour = colourRef
		}
		w := barW * r.value / maxV
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="13">%s</text>`+"\n", labelW, y+15, html.EscapeString(r.label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s %s: %s</title></rect>`+"\n",
			labelW+8, y+3, w, rowH-6, colour, html.EscapeString(r.group), html.EscapeString(r.label), formatValue(r.value, unit))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%s</text>`+"\n", float64(labelW+14)+w, y+15, formatValue(r.value, unit))
		y += rowH
	}
	height := y + 16
	var out strings.Builder
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&out, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&out, `<text x="10" y="24" font-size="17" font-weight="bold">%s</text>`+"\n", html.EscapeString(title))
	// Legend.
	fmt.Fprintf(&out, `<rect x="10" y="34" width="14" height="12" fill="%s"/><text x="30" y="45" font-size="12">TeachTrack API</text>`+"\n", colourAPI)
	fmt.Fprintf(&out, `<rect x="150" y="34" width="14" height="12" fill="%s"/><text x="170" y="45" font-size="12">reference server (net/http + database/sql)</text>`+"\n", colourRef)
	out.WriteString(b.String())
	out.WriteString("</svg>\n")
	return os.WriteFile(path, []byte(out.String()), 0o644)
}

func formatValue(v float64, unit string) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f %s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, unit)
	}
	return fmt.Sprintf("%.2f %s", v, unit)
}
