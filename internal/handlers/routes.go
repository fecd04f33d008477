// Package handlers is the HTTP API: the chi router, its middleware, and one
// file per resource. Handlers take their *gorm.DB from the request (bound to
// the right node by bindDB) and never choose a database node themselves.
package handlers

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
)

// Deps are what the API needs to serve.
type Deps struct {
	Config  *config.Config
	Cluster *db.Cluster
	Logger  *slog.Logger
	Version string
	// Registry receives the API's metrics; nil makes a new one.
	Registry *prometheus.Registry
}

// API holds the handlers' dependencies.
type API struct {
	cfg     *config.Config
	cluster *db.Cluster
	log     *slog.Logger
	version string
	metrics *httpMetrics
	reg     *prometheus.Registry
}

// New builds the API's http.Handler.
func New(d Deps) http.Handler {
	reg := d.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	a := &API{cfg: d.Config, cluster: d.Cluster, log: d.Logger, version: d.Version, reg: reg, metrics: newHTTPMetrics(reg)}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	d.Cluster.RegisterMetrics(reg)
	return a.routes()
}

func (a *API) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(requestID, a.accessLog, a.recoverer, securityHeaders)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, errorf(http.StatusNotFound, "There is no such endpoint: check the path."))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, errorf(http.StatusMethodNotAllowed, "This endpoint does not accept the "+r.Method+" method."))
	})

	r.Get("/healthz", a.handleHealthz)
	r.Get("/readyz", a.handleReadyz)
	r.Handle("/metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{}))

	r.Route("/api/v1", func(r chi.Router) {
		r.Use(a.bindDB)
	})
	return r
}

func (a *API) retryAfterSeconds() int { return 2 }
