package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Metrics are the figures read from an API's /metrics.
type Metrics struct {
	// Queries are db_queries_total by node and kind ("read" or "write").
	Queries    map[string]map[string]float64
	Goroutines float64
	RSSBytes   float64
}

// Scrape reads url (Prometheus text format).
func Scrape(ctx context.Context, url string) (*Metrics, error) {
	return scrape(ctx, http.DefaultClient, url)
}

func scrape(ctx context.Context, c *http.Client, url string) (*Metrics, error) {
	if url == "" || url == "-" {
		return nil, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: status %d", url, res.StatusCode)
	}
	m := &Metrics{Queries: map[string]map[string]float64{}}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, labels, value, ok := parseSample(line)
		if !ok {
			continue
		}
		switch name {
		case "db_queries_total":
			node, kind := labels["node"], labels["kind"]
			if m.Queries[node] == nil {
				m.Queries[node] = map[string]float64{}
			}
			m.Queries[node][kind] += value
		case "go_goroutines":
			m.Goroutines = value
		case "process_resident_memory_bytes":
			m.RSSBytes = value
		}
	}
	return m, sc.Err()
}

// parseSample splits `name{a="b",c="d"} 12.5` into its parts.
func parseSample(line string) (string, map[string]string, float64, bool) {
	sp := strings.LastIndexByte(line, ' ')
	if sp < 0 {
		return "", nil, 0, false
	}
	v, err := strconv.ParseFloat(line[sp+1:], 64)
	if err != nil {
		return "", nil, 0, false
	}
	head := line[:sp]
	name, rest, hasLabels := strings.Cut(head, "{")
	labels := map[string]string{}
	if hasLabels {
		for _, kv := range strings.Split(strings.TrimSuffix(rest, "}"), ",") {
			k, val, ok := strings.Cut(kv, "=")
			if ok {
				labels[k] = strings.Trim(val, `"`)
			}
		}
	}
	return name, labels, v, true
}
