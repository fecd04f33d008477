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
	"github.com/teachtrack/api/internal/models"
	"github.com/teachtrack/api/internal/storage"
)

// Deps are what the API needs to serve.
type Deps struct {
	Config  *config.Config
	Cluster *db.Cluster
	Logger  *slog.Logger
	Version string
	// Registry receives the API's metrics; nil makes a new one.
	Registry *prometheus.Registry
	// Storage keeps uploaded files; nil means a local directory at STORAGE_DIR.
	Storage storage.Store
	// Mail wakes the mail worker once a transaction that queued mail
	// (models.EnqueueMail) has committed; nil leaves it to the worker's poll.
	Mail interface{ Wake() }

	// Payments (issue 19). Mpesa nil: MPESA_* is not configured, and
	// POST /payments/stk-push answers 503. PaymentMails nil: the
	// confirmation mail is only logged.
	Mpesa        PaymentGateway
	PaymentMails PaymentMailer
}

// API holds the handlers' dependencies.
type API struct {
	cfg     *config.Config
	cluster *db.Cluster
	log     *slog.Logger
	version string
	metrics *httpMetrics
	reg     *prometheus.Registry
	store   storage.Store
	mail    interface{ Wake() }
	deps    Deps
}

// New builds the API's http.Handler.
func New(d Deps) http.Handler {
	reg := d.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	a := &API{cfg: d.Config, cluster: d.Cluster, log: d.Logger, version: d.Version, reg: reg, metrics: newHTTPMetrics(reg), mail: d.Mail, deps: d}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.store = d.Storage; a.store == nil {
		a.store = storage.NewLocal(a.cfg.StorageDir)
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
	r.Get("/metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{}).ServeHTTP)

	// The API reference (api/openapi.yaml) and Swagger UI, embedded so they
	// work offline; DOCS_ENABLED=false (the default in production) leaves
	// them out.
	if a.cfg.DocsEnabled {
		r.Get("/openapi.yaml", a.handleOpenAPI)
		r.Get("/docs", a.handleDocs)
		r.Get("/docs/{file}", a.handleDocsFile)
	}

	// Uploaded files (issue 17): logos are public, notes' files need the
	// short-lived signature the API put in their URL. No session, no database.
	files := newFilesAPI(a)
	r.Get("/uploads/{folder}/{name}", files.handleUploadsFile)
	r.Head("/uploads/{folder}/{name}", files.handleUploadsFile)

	r.Route("/api/v1", func(r chi.Router) {
		dec := newDecoder()
		u := newUsersAPI(a, dec)
		sj := newSubjectsAPI(a, dec)
		nt := newNotesAPI(a, dec, files)
		pay := newPaymentsAPI(a, dec, a.deps.Mpesa, a.deps.PaymentMails)
		docs := newDocumentsAPI(a, dec)
		// The token is read before bindDB (which routes by user); the session
		// is checked after it, on the request's own database.
		r.Use(u.cors(), u.authenticate, a.bindDB)

		r.With(u.limit(u.register)).Post("/auth/register", u.handleRegister)
		r.With(u.limit(u.login)).Post("/auth/login", u.handleLogin)
		r.Post("/auth/refresh", u.handleRefresh)
		r.Post("/auth/logout", u.handleLogout)

		// A note's public share link (issue 17): no session needed, and each
		// view is counted, so this GET is routed as a write (asWrite).
		r.With(a.asWrite).Get("/shared/{token}", nt.handleSharedView)
		// Payments (issue 19): public prices, and Safaricom's result callback,
		// on a secret path token (it carries no user).
		r.Get("/pricing-config", pay.handlePricingGet)
		r.Post("/payments/callback/{token}", pay.handleCallback)
		// Shared schemes and records of work (issue 15): public, the token is
		// the key; /shared/{token} alone is the notes' (issue 17).
		r.Get("/shared/schemes/{token}", docs.handleSharedScheme)
		r.Get("/shared/records-of-work/{token}", docs.handleSharedRecord)

		// Everything below needs a live session.
		r.Group(func(r chi.Router) {
			r.Use(u.requireSession)
			r.Get("/auth/me", u.handleMe)
			r.Patch("/auth/me", u.handleMeUpdate)
			r.Post("/auth/change-password", u.handleChangePassword)

			r.Get("/subjects", sj.handleSubjectList)
			r.Post("/subjects", sj.handleSubjectCreate)
			r.Get("/subjects/{id}", sj.handleSubjectGet)
			r.Patch("/subjects/{id}", sj.handleSubjectUpdate)
			r.Put("/subjects/{id}", sj.handleSubjectUpdate)
			r.Delete("/subjects/{id}", sj.handleSubjectDelete)
			r.Get("/subjects/{id}/strands", sj.handleStrandList)
			r.Get("/subjects/{id}/lessons", sj.handleLessonList)
			r.Get("/subjects/{id}/scheduling", sj.handleSchedulingGet)
			r.Put("/subjects/{id}/scheduling", sj.handleSchedulingPut)
			r.Post("/lessons/{id}/complete", sj.handleLessonComplete)
			r.Post("/lessons/{id}/uncomplete", sj.handleLessonUncomplete)
			r.Get("/dashboard/curriculum-progress", sj.handleCurriculumProgress)
			r.Get("/dashboard/stats", sj.handleDashboardStats)

			// Notes, their files and share links; logos (issue 17).
			r.Get("/notes", nt.handleNoteList)
			r.Post("/notes/upload", nt.handleNoteUpload)
			r.Get("/notes/{id}", nt.handleNoteGet)
			r.Delete("/notes/{id}", nt.handleNoteDelete)
			r.Get("/notes/{id}/download", nt.handleNoteDownload)
			r.Patch("/notes/{id}/favorite", nt.handleNoteFavorite)
			r.Post("/notes/{id}/share", nt.handleShareCreate)
			r.Get("/notes/{id}/shares", nt.handleShareList)
			r.Delete("/shares/{id}", nt.handleShareRevoke)
			r.Post("/profile/upload-logo", nt.handleProfileLogo)
			// Payments (issue 19). The status poll settles a payment Daraja
			// says has ended: a GET that writes.
			r.Post("/payments/stk-push", pay.handleSTKPush)
			r.With(a.asWrite).Get("/payments/status/{checkout_request_id}", pay.handleStatus)
			r.Post("/payments/downgrade", pay.handleDowngrade)
			// Schemes of work and records of work (issue 15).
			r.Get("/schemes", docs.handleSchemeList)
			r.Post("/schemes", docs.handleSchemeCreate)
			r.Get("/schemes/stats", docs.handleSchemeStats)
			r.Post("/schemes/generate", docs.handleSchemeGenerate)
			r.Get("/schemes/{id}", docs.handleSchemeGet)
			r.Put("/schemes/{id}", docs.handleSchemeUpdate)
			r.Delete("/schemes/{id}", docs.handleSchemeDelete)
			r.Get("/schemes/{id}/pdf", docs.handleSchemePDF)
			r.Post("/schemes/{id}/archive", docs.handleSchemeArchive(true))
			r.Post("/schemes/{id}/unarchive", docs.handleSchemeArchive(false))
			r.Post("/schemes/{id}/share", docs.handleSchemeShare)
			r.Delete("/schemes/{id}/share", docs.handleSchemeUnshare)
			r.Post("/schemes/{id}/duplicate", docs.handleSchemeDuplicate)
			r.Get("/records-of-work", docs.handleRecordList)
			r.Post("/records-of-work/create-from-scheme/{id}", docs.handleRecordFromScheme)
			r.Post("/records-of-work/mark-taught/{id}", docs.handleMarkTaught)
			r.Get("/records-of-work/{id}", docs.handleRecordGet)
			r.Delete("/records-of-work/{id}", docs.handleRecordDelete)
			r.Put("/records-of-work/{id}/entries/{entry_id}", docs.handleEntryUpdate)
			r.Post("/records-of-work/{id}/archive", docs.handleRecordArchive(true))
			r.Post("/records-of-work/{id}/unarchive", docs.handleRecordArchive(false))
			r.Post("/records-of-work/{id}/share", docs.handleRecordShare)
			r.Delete("/records-of-work/{id}/share", docs.handleRecordUnshare)

			r.Route("/admin", func(r chi.Router) {
				r.Use(u.requireRole(models.RoleSchoolAdmin, models.RoleSuperAdmin))
				r.Get("/users", u.handleAdminUserList)
				r.Post("/users", u.handleAdminUserCreate)
				r.Get("/users/{id}", u.handleAdminUserGet)
				r.Patch("/users/{id}", u.handleAdminUserUpdate)
				r.Delete("/users/{id}", u.handleAdminUserDelete)
				r.Patch("/users/{id}/role", u.handleAdminUserRole)
				r.Post("/users/{id}/reset-progress", u.handleAdminUserResetProgress)
				r.Post("/upload-logo", nt.handleSchoolLogo) // issue 17

				r.Group(func(r chi.Router) {
					r.Use(u.requireRole(models.RoleSuperAdmin))
					r.Get("/users/export", u.handleAdminUserExport)
					r.Post("/users/bulk-delete", u.handleAdminUsersBulkDelete)
					r.Post("/users/bulk-ban", u.handleAdminUsersBulkBan)
					r.Put("/users/{id}/subscription", u.handleAdminUserSubscription)
					r.Post("/users/{id}/ban", u.handleAdminUserBan)
					r.Post("/users/{id}/unban", u.handleAdminUserUnban)
					r.Post("/users/{id}/unlink", u.handleAdminUserUnlink)
					r.Post("/users/{id}/impersonate", u.handleAdminUserImpersonate)
					r.Get("/schools", u.handleAdminSchoolList)
					r.Post("/schools", u.handleAdminSchoolCreate)
					r.Get("/replication", a.handleAdminReplication)

					// Payments (issue 19).
					r.Get("/pricing-config", pay.handlePricingGet)
					r.Put("/pricing-config", pay.handlePricingPut)
					r.Get("/payments", pay.handleAdminPayments)
					r.Get("/payments/stats", pay.handleAdminPaymentStats)
					r.Put("/users/{id}/upgrade", pay.handleAdminUpgrade)
				})
			})
		})
	})
	return r
}

func (a *API) retryAfterSeconds() int { return 2 }
