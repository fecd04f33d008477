package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetricsListener: with METRICS_ADDR, /metrics is served on that listener
// only, never on HTTP_ADDR.
func TestMetricsListener(t *testing.T) {
	d := newDB(t)
	metricsAddr := freeAddr(t)
	d.Set("METRICS_ADDR", metricsAddr)
	s := startServer(t, d)
	s.waitReady(t)
	get := func(url string) (int, string) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, _ := get("http://" + s.addr + "/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics on HTTP_ADDR: %d, want 404", status)
	}
	status, body := get("http://" + metricsAddr + "/metrics")
	// The API's own registry: its request histogram (of the /readyz polls)
	// and the cluster's gauges.
	if status != http.StatusOK || !strings.Contains(body, `http_request_duration_seconds_count{method="GET",route="/readyz"`) || !strings.Contains(body, "db_replica_healthy") {
		t.Errorf("/metrics on METRICS_ADDR: %d, %s", status, body)
	}
	if status, _ := get("http://" + metricsAddr + "/api/v1/auth/me"); status != http.StatusNotFound {
		t.Errorf("the metrics listener serves the API: %d", status)
	}
}
