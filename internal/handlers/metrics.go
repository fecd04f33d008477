package handlers

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
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

func (m *httpMetrics) observeRequest(method, route string, status int, d time.Duration) {
	m.duration.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}
