// Package handlers is the HTTP API: the chi router, its middleware, and one
// file per resource. Handlers take their *gorm.DB from the request (bound to
// the right node by bindDB) and never choose a database node themselves.
package handlers

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

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
	// Now is the clock (nil: time.Now); tests set it to put "now" anywhere in
	// the school week (the next lesson, the current term).
	Now func() time.Time

	// Mail wakes the mail worker once a transaction that queued mail
	// (models.EnqueueMail) has committed; nil leaves it to the worker's poll.
	Mail interface{ Wake() }

	// Mpesa is Daraja (issue 19); nil: MPESA_* is not configured, and
	// POST /payments/stk-push answers 503.
	Mpesa PaymentGateway
	// Storage keeps uploaded files; nil means a local directory at STORAGE_DIR.
	Storage storage.Store
}

// API holds the handlers' dependencies.
type API struct {
	cfg     *config.Config
	cluster *db.Cluster
	log     *slog.Logger
	version string
	metrics *httpMetrics
	reg     *prometheus.Registry
	now     func() time.Time
	mail    interface{ Wake() }
	deps    Deps
	store   storage.Store
	mpesa   PaymentGateway
}

// New builds the API's http.Handler.
func New(d Deps) http.Handler {
	reg := d.Registry
	if reg == nil {
		reg = NewRegistry()
	}
	a := &API{cfg: d.Config, cluster: d.Cluster, log: d.Logger, version: d.Version, reg: reg, metrics: newHTTPMetrics(reg), mail: d.Mail, mpesa: d.Mpesa}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now = d.Now; a.now == nil {
		a.now = time.Now
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
		if st := stateFrom(r.Context()); st != nil {
			st.unmatched = true
		}
		a.writeError(w, r, errorf(http.StatusNotFound, "There is no such endpoint: check the path."))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		if st := stateFrom(r.Context()); st != nil {
			st.unmatched = true
		}
		a.writeError(w, r, errorf(http.StatusMethodNotAllowed, "This endpoint does not accept the "+r.Method+" method."))
	})

	r.Get("/healthz", a.handleHealthz)
	r.Get("/readyz", a.handleReadyz)
	// /metrics: see metricsOnMainListener (METRICS_ADDR, METRICS_TOKEN).
	if metricsOnMainListener(a.cfg.MetricsAddr, a.cfg.MetricsToken, a.cfg.Production()) {
		r.Method(http.MethodGet, "/metrics", MetricsHandler(a.reg, a.cfg.MetricsToken))
	}

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
		tt := newTimetableAPI(a, dec)
		tm := newTermsAPI(a, dec)
		lp := newLessonPlansAPI(a, dec)
		pay := newPaymentsAPI(a, dec)
		docs := newDocumentsAPI(a, dec)
		cu := newCurriculumAPI(a, dec, u)
		nt := newNotesAPI(a, dec, files)
		an := &analyticsAPI{a} // issue 20
		// The token is read before bindDB (which routes by user); the session
		// is checked after it, on the request's own database. checkOrigin
		// refuses cross-site mutations made with the session cookie (csrf.go).
		r.Use(u.cors(), u.authenticate, u.checkOrigin, a.bindDB)

		r.With(u.limit(u.register)).Post("/auth/register", u.handleRegister)
		r.With(u.limit(u.login)).Post("/auth/login", u.handleLogin)
		r.Post("/auth/refresh", u.handleRefresh)
		r.Post("/auth/logout", u.handleLogout)
		// A shared lesson plan is read without signing in, by its token only.
		r.Get("/shared/lesson-plans/{token}", lp.handleSharedPlan)

		// Accounts (issue 18): captcha, Google sign-in, e-mail verification,
		// forgotten passwords. The two GETs that write are marked asWrite.
		r.With(u.limit(u.acct.captchas), a.asWrite).Get("/auth/captcha", u.handleCaptcha)
		r.With(u.limit(u.login)).Post("/auth/google", u.handleGoogleSignIn)
		r.With(a.asWrite).Get("/auth/verify-email", u.handleVerifyEmail)
		r.With(u.limit(u.acct.forgot)).Post("/auth/forgot-password", u.handleForgotPassword)
		r.Get("/auth/verify-reset-token", u.handleVerifyResetToken)
		r.With(u.limit(u.acct.forgot)).Post("/auth/reset-password", u.handleResetPassword)

		// Payments (issue 19): public prices, and Safaricom's result callback,
		// on a secret path token (it carries no user).
		r.Get("/pricing-config", pay.handlePricingGet)
		r.Post("/payments/callback/{token}", pay.handleCallback)
		// Shared schemes and records of work (issue 15): public, the token is
		// the key; /shared/{token} alone is the notes' (issue 17).
		r.Get("/shared/schemes/{token}", docs.handleSharedScheme)
		r.Get("/shared/records-of-work/{token}", docs.handleSharedRecord)

		// Curriculum catalogue (issue 13), public: a signed-in caller also
		// sees their own uploads.
		r.With(cu.maybeSession).Get("/curriculum-templates", cu.handleTemplateList)
		r.Get("/education-levels", cu.handleEducationLevels)
		r.Get("/grades", cu.handleGrades)

		// A note's public share link (issue 17): no session needed, and each
		// view is counted, so this GET is routed as a write (asWrite).
		r.With(a.asWrite).Get("/shared/{token}", nt.handleSharedView)

		// Everything below needs a live session.
		r.Group(func(r chi.Router) {
			r.Use(u.requireSession)
			r.Get("/auth/me", u.handleMe)
			r.Patch("/auth/me", u.handleMeUpdate)
			r.With(u.limitUser(u.changePassword)).Post("/auth/change-password", u.handleChangePassword)

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
			// The teacher dashboard's widgets (issue 20).
			r.Get("/dashboard/insights", an.handleInsights)
			r.Get("/dashboard/deadlines", an.handleDeadlines)
			r.Get("/dashboard/resources", an.handleResources)

			// School year, settings and timetable (issue 14).
			r.Get("/timetable/time-slots", tt.handleTimeSlots)
			r.Post("/timetable/schedules", tt.handleScheduleCreate)
			r.Get("/timetable/schedules/active", tt.handleScheduleActive)
			r.Put("/timetable/schedules/{id}", tt.handleScheduleUpdate)
			r.Get("/timetable/entries", tt.handleEntryList)
			r.Post("/timetable/entries", tt.handleEntryCreate)
			r.Get("/timetable/entries/next", tt.handleEntryNext)
			r.Put("/timetable/entries/{id}", tt.handleEntryUpdate)
			r.Delete("/timetable/entries/{id}", tt.handleEntryDelete)
			// Lesson plans (issue 16).
			r.Get("/lesson-plans", lp.handlePlanList)
			r.Post("/lesson-plans", lp.handlePlanCreate)
			r.Post("/lesson-plans/bulk-delete", lp.handlePlansBulkDelete)
			r.Post("/lesson-plans/bulk-download", lp.handlePlansBulkDownload)
			r.Post("/lesson-plans/from-scheme/{id}", lp.handlePlanFromScheme)
			r.Post("/schemes/{id}/generate-lesson-plans", lp.handleGenerateFromScheme)
			r.Get("/lesson-plans/{id}", lp.handlePlanGet)
			r.Put("/lesson-plans/{id}", lp.handlePlanUpdate)
			r.Delete("/lesson-plans/{id}", lp.handlePlanDelete)
			r.Get("/lesson-plans/{id}/pdf", lp.handlePlanPDF)
			r.Post("/lesson-plans/{id}/archive", lp.setArchived(true))
			r.Post("/lesson-plans/{id}/unarchive", lp.setArchived(false))
			r.Post("/lesson-plans/{id}/duplicate", lp.handlePlanDuplicate)
			r.Post("/lesson-plans/{id}/share", lp.handlePlanShare)
			r.Post("/lesson-plans/{id}/unshare", lp.handlePlanUnshare)
			r.Post("/lesson-plans/{id}/auto-generate", lp.handlePlanAutoGenerate)
			r.Post("/lesson-plans/{id}/enhance", lp.handlePlanEnhance)
			r.Get("/school-terms", tm.handleTermsForMe)
			r.Post("/school-terms", tm.handleSchoolTermCreate)
			r.Put("/school-terms/{id}", tm.handleSchoolTermUpdate)
			r.Delete("/school-terms/{id}", tm.handleSchoolTermDelete)
			r.Get("/school-settings", tm.handleMySchoolSettings)
			// Read by the teacher's lesson-plan editor too (beside its other data,
			// all or nothing), so not behind the admin role check below; the
			// writes under /admin/school-settings stay admin-only.
			r.Get("/admin/school-settings", tm.handleSchoolSettingsRead)
			r.Get("/profile/settings", tm.handleProfileGet)
			r.Post("/profile/settings", tm.handleProfileSave)
			r.Get("/profile/school-context", tm.handleSchoolContext)
			r.Get("/profile/lessons-config", tm.handleProfileLessonsConfig)
			r.Post("/profile/lessons-config", tm.handleProfileLessonsConfigSave)
			// A school administrator's own school and teachers (issue 18).
			r.Get("/schools/me", u.handleOwnSchool)
			r.Group(func(r chi.Router) {
				r.Use(u.requireRole(models.RoleSchoolAdmin))
				r.Post("/schools", u.handleOwnSchoolCreate)
				r.Get("/schools/teachers", u.handleSchoolTeachers)
				r.Post("/schools/teachers", u.handleSchoolTeacherAdd)
				r.Delete("/schools/teachers/{id}", u.handleSchoolTeacherRemove)
			})

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

			// Curriculum catalogue and onboarding (issue 13).
			r.Post("/curriculum-templates/bulk-use", cu.handleBulkUse)
			r.Get("/subjects-by-grade", cu.handleSubjectsByGrade)
			r.Post("/curriculum/upload", cu.handleUpload)
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
				// Analytics (issue 20): a school admin sees their school's.
				r.Get("/analytics", an.handleAnalytics)

				// Curriculum (issue 13): admins read the catalogue and set their
				// school's lessons per week; only a SUPER_ADMIN changes templates.
				r.Get("/curriculum-templates", cu.handleAdminTemplateList)
				r.Get("/curriculum-templates/{id}", cu.handleAdminTemplateGet)
				r.Get("/lessons-per-week", cu.handleLessonsPerWeekList)
				r.Post("/lessons-per-week", cu.handleLessonsPerWeekSave)
				r.Post("/lessons-per-week/bulk", cu.handleLessonsPerWeekBulk)

				// School year and settings (issue 14): a school admin's own school;
				// system terms for the super admin only.
				r.Get("/school-terms", tm.handleSchoolTermList)
				r.Post("/school-terms", tm.handleSchoolTermCreate)
				r.Put("/school-terms/{id}", tm.handleSchoolTermUpdate)
				r.Delete("/school-terms/{id}", tm.handleSchoolTermDelete)
				r.Post("/school-settings", tm.handleAdminSchoolSettingsCreate)
				r.Post("/school-settings/rollover", tm.handleAdminRollover)
				r.Put("/school-settings/{id}", tm.handleAdminSchoolSettingsUpdate)
				act, dep := activities(), departments()
				r.Get("/calendar-activities", act.handleList(tm))
				r.Post("/calendar-activities", act.handleSave(tm, false, newActivityRequest))
				r.Put("/calendar-activities/{id}", act.handleSave(tm, true, newActivityRequest))
				r.Delete("/calendar-activities/{id}", act.handleDelete(tm))
				r.Get("/departments", dep.handleList(tm))
				r.Post("/departments", dep.handleSave(tm, false, newDepartmentRequest))
				r.Put("/departments/{id}", dep.handleSave(tm, true, newDepartmentRequest))
				r.Delete("/departments/{id}", dep.handleDelete(tm))
				r.Group(func(r chi.Router) {
					r.Use(u.requireRole(models.RoleSuperAdmin))
					r.Get("/system-terms", tm.handleSystemTermList)
					r.Post("/system-terms", tm.handleSystemTermCreate)
					r.Put("/system-terms/{id}", tm.handleSystemTermUpdate)
					r.Delete("/system-terms/{id}", tm.handleSystemTermDelete)
					r.Post("/system-terms/generate-year/{year}", tm.handleSystemTermGenerateYear)
					r.Post("/system-terms/set-current/{id}", tm.handleSystemTermSetCurrent)
				})

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

					// Platform figures and any school's licence (issue 20).
					r.Get("/stats", an.handleAdminStats)
					r.Get("/analytics/trends", an.handleAnalyticsTrends)
					r.Get("/analytics/curriculum", an.handleAnalyticsCurriculum)
					r.Get("/analytics/activity", an.handleAnalyticsActivity)
					r.Get("/analytics/health", an.handleAnalyticsHealth)
					r.Patch("/schools/{id}", u.handleAdminSchoolUpdate)
					r.Get("/schools/{id}/teachers", u.handleAdminSchoolTeachers)

					// Payments (issue 19).
					r.Get("/pricing-config", pay.handlePricingGet)
					r.Put("/pricing-config", pay.handlePricingPut)
					r.Get("/payments", pay.handleAdminPayments)
					r.Get("/payments/stats", pay.handleAdminPaymentStats)
					r.Put("/users/{id}/upgrade", pay.handleAdminUpgrade)

					// Curriculum editor and import (issue 13).
					r.Post("/curriculum-templates", cu.handleAdminTemplateCreate)
					r.Put("/curriculum-templates/{id}", cu.handleAdminTemplateUpdate)
					r.Delete("/curriculum-templates/{id}", cu.handleAdminTemplateDelete)
					r.Get("/curricula", cu.handleAdminCurricula)
					r.Delete("/curricula/{id}", cu.handleAdminTemplateDelete)
					r.Post("/import-curriculum", cu.handleAdminImport)
				})
			})
		})
	})
	return r
}

func (a *API) retryAfterSeconds() int { return 2 }
