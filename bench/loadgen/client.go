package loadgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// call is one HTTP request of a virtual user, timed and recorded under op.
// want lists the statuses that count as success; any other is an error.
func (v *vu) call(op, method, path string, body, out any, want ...int) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(v.ctx, method, v.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if v.token != "" {
		req.Header.Set("Authorization", "Bearer "+v.token)
	}
	start := time.Now()
	res, err := v.g.client.Do(req)
	if err != nil {
		if v.ctx.Err() != nil {
			// The run ended mid-request: neither a success nor an error.
			return 0, v.ctx.Err()
		}
		v.rec.fail(op, "net")
		v.g.failed.Add(1)
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	elapsed := time.Since(start)
	if err != nil && v.ctx.Err() != nil {
		return 0, v.ctx.Err()
	}
	v.g.requests.Add(1)
	v.rec.observe(op, elapsed)
	if node := res.Header.Get("X-DB-Node"); node != "" && method == http.MethodGet {
		v.rec.nodes[node]++
	}
	ok := false
	for _, s := range want {
		ok = ok || res.StatusCode == s
	}
	if !ok {
		v.rec.fail(op, strconv.Itoa(res.StatusCode))
		v.g.failed.Add(1)
		return res.StatusCode, fmt.Errorf("%s %s: status %d: %.200s", method, path, res.StatusCode, data)
	}
	if out != nil && len(data) > 0 && res.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			v.rec.fail(op, "bad_json")
			v.g.failed.Add(1)
			return res.StatusCode, fmt.Errorf("%s %s: decoding: %w", method, path, err)
		}
	}
	return res.StatusCode, nil
}

// newClient is an HTTP client that keeps one connection per virtual user
// alive, so the load measures the API rather than TCP handshakes.
func newClient(users int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = users * 2
	t.MaxIdleConnsPerHost = users * 2
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}
