package handlers

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpMetrics are the API's request metrics, registered on the API's own registry.
type httpMetrics struct {
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request duration by method, route pattern and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
	}
	reg.MustRegister(m.duration)
	return m
}

// unmatchedRoute is the one route label of every request no route matched.
const unmatchedRoute = "unmatched"

// observeRequest counts a request. Every label comes from a bounded set, so no
// client can grow the series (and /metrics) without limit: methods outside
// the standard ones are OTHER, routes are the router's patterns (or
// unmatchedRoute), statuses are three-digit codes.
func (m *httpMetrics) observeRequest(method, route string, status int, d time.Duration) {
	m.duration.WithLabelValues(methodLabel(method), route, statusLabel(status)).Observe(d.Seconds())
}

func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

func statusLabel(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status)
}

// NewRegistry is a metrics registry with the Go runtime and process
// collectors, for New (Deps.Registry) and a separate metrics listener.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// MetricsHandler serves reg in the Prometheus text format. With a token, only
// a request bearing it (Authorization: Bearer <METRICS_TOKEN>) gets them.
func MetricsHandler(reg *prometheus.Registry, token string) http.Handler {
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			writeProblem(w, Problem{Type: "about:blank", Title: http.StatusText(http.StatusUnauthorized), Status: http.StatusUnauthorized,
				Detail: "The metrics need the bearer token the operator configured (METRICS_TOKEN).", RequestID: RequestID(r.Context())})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// metricsOnMainListener reports whether /metrics is served on HTTP_ADDR: not
// when METRICS_ADDR gives it a listener of its own, and in production only
// behind METRICS_TOKEN, so it is never public by default.
func metricsOnMainListener(metricsAddr, token string, production bool) bool {
	if metricsAddr != "" {
		return false
	}
	return token != "" || !production
}
