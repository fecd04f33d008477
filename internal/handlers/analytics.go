package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// Administrators' analytics (GET /admin/stats, /admin/analytics…): the
// heaviest reads of the API. Being GETs they run on a replica (bindDB); each
// is a fixed number of aggregate statements, and all of a request's
// statements together get at most DB_READ_TIMEOUT.

// analyticsTopN is how many rows each "top" list of the analytics page has.
const analyticsTopN = 5

// analyticsDays is the span of the daily charts (the page says 30 days).
const analyticsDays = 30

type analyticsAPI struct{ *API }

// errAnalyticsTimeout is the answer when the figures took longer than
// DB_READ_TIMEOUT: the statements were cancelled.
var errAnalyticsTimeout = errorf(http.StatusServiceUnavailable, "These figures took too long to compute. Please try again in a moment.")

// bounded runs fn on the request's database with DB_READ_TIMEOUT for all its
// statements together. The deadline cancels the statement in flight (the
// driver closes its connection); it is not taken for a broken replica, so
// the read is not retried elsewhere and the replica stays in rotation.
func (a *analyticsAPI) bounded(w http.ResponseWriter, r *http.Request, fn func(db *gorm.DB) (any, error)) {
	d := reqDB(r)
	ctx, cancel := context.WithTimeout(d.Statement.Context, a.cfg.DBReadTimeout)
	defer cancel()
	out, err := fn(d.WithContext(ctx))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && r.Context().Err() == nil {
			w.Header().Set("Retry-After", strconv.Itoa(a.retryAfterSeconds()))
			err = errAnalyticsTimeout
		}
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// analyticsScope is the school whose figures the caller sees: a SCHOOL_ADMIN
// only their own (403 when they have none), a SUPER_ADMIN the whole platform.
func analyticsScope(r *http.Request) (*uint64, error) {
	p := principalFrom(r.Context())
	if p.Role == models.RoleSuperAdmin {
		return nil, nil
	}
	if p.SchoolID == nil {
		return nil, models.Sentence(models.ErrForbidden, "Your account is not linked to a school, so there are no figures for you to see.")
	}
	return p.SchoolID, nil
}

// handleAdminStats is the super admin dashboard's header: one statement.
func (a *analyticsAPI) handleAdminStats(w http.ResponseWriter, r *http.Request) {
	a.bounded(w, r, func(db *gorm.DB) (any, error) { return models.PlatformStatsOf(db) })
}

// analyticsJSON is GET /admin/analytics, as frontend/app/admin/analytics reads it.
type analyticsJSON struct {
	Overview             models.AnalyticsOverview   `json:"overview"`
	MostUsedCurricula    []models.CurriculumUsage   `json:"most_used_curricula"`
	CompletionRates      []models.CompletionRate    `json:"completion_rates"`
	TeacherEngagement    []models.TeacherEngagement `json:"teacher_engagement"`
	SubjectPopularity    []gradeCountJSON           `json:"subject_popularity"`
	ActivityTimeline     []models.DayCount          `json:"activity_timeline"`
	ProgressDistribution map[string]int64           `json:"progress_distribution"`
	DepartmentStats      []departmentStatJSON       `json:"department_stats"`
	SubscriptionStats    models.PlanCounts          `json:"subscription_stats"`
	RetentionStats       []models.ActiveDay         `json:"retention_stats"`
	LessonAdherence      models.Adherence           `json:"lesson_adherence"`
}

type gradeCountJSON struct {
	Grade string `json:"grade"`
	Count int64  `json:"count"`
}

type departmentStatJSON struct {
	Name         string `json:"name"`
	HOD          string `json:"hod"`
	TeacherCount int64  `json:"teacher_count"`
}

// handleAnalytics is the analytics page: eight statements whatever the data's
// size, limited to the caller's school for a SCHOOL_ADMIN.
func (a *analyticsAPI) handleAnalytics(w http.ResponseWriter, r *http.Request) {
	school, err := analyticsScope(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	now := a.now().In(a.schoolZone())
	a.bounded(w, r, func(db *gorm.DB) (any, error) {
		out := analyticsJSON{DepartmentStats: []departmentStatJSON{}}
		totals, err := models.AnalyticsTotalsOf(db, school)
		if err != nil {
			return nil, err
		}
		out.Overview, out.SubscriptionStats, out.ProgressDistribution, out.LessonAdherence = totals.Overview, totals.Plans, totals.Distribution, totals.Adherence
		if out.MostUsedCurricula, err = models.MostUsedCurricula(db, school, analyticsTopN); err != nil {
			return nil, err
		}
		if out.CompletionRates, err = models.CompletionRates(db, school, analyticsTopN); err != nil {
			return nil, err
		}
		if out.TeacherEngagement, err = models.TopTeachers(db, school, analyticsTopN); err != nil {
			return nil, err
		}
		grades, err := models.ProgressByGrade(db, school)
		if err != nil {
			return nil, err
		}
		out.SubjectPopularity = make([]gradeCountJSON, len(grades))
		for i, g := range grades {
			out.SubjectPopularity[i] = gradeCountJSON{Grade: g.Grade, Count: g.SubjectCount}
		}
		if out.ActivityTimeline, err = models.SubjectsCreatedPerDay(db, school, now, analyticsDays); err != nil {
			return nil, err
		}
		if out.RetentionStats, err = models.ActiveUsersPerDay(db, school, now, analyticsDays); err != nil {
			return nil, err
		}
		return out, nil
	})
}

// boundedQuery reads a whole-number query parameter between lo and hi.
func boundedQuery(r *http.Request, name string, def, lo, hi int) (int, error) {
	n, err := queryInt(r, name, def)
	if err == nil && (n < lo || n > hi) {
		err = models.Invalid(name, "must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
	return n, err
}

// handleAnalyticsTrends is new users per week (?weeks=1..104, default 12).
func (a *analyticsAPI) handleAnalyticsTrends(w http.ResponseWriter, r *http.Request) {
	weeks, err := boundedQuery(r, "weeks", 12, 1, 104)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	now := a.now().In(a.schoolZone())
	a.bounded(w, r, func(db *gorm.DB) (any, error) { return models.NewUsersPerWeek(db, now, weeks) })
}

// handleAnalyticsCurriculum is every grade's average progress (one statement).
func (a *analyticsAPI) handleAnalyticsCurriculum(w http.ResponseWriter, r *http.Request) {
	a.bounded(w, r, func(db *gorm.DB) (any, error) { return models.ProgressByGrade(db, nil) })
}

// handleAnalyticsActivity is the newest users and schools (?limit=1..100, default 20).
func (a *analyticsAPI) handleAnalyticsActivity(w http.ResponseWriter, r *http.Request) {
	limit, err := boundedQuery(r, "limit", 20, 1, 100)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.bounded(w, r, func(db *gorm.DB) (any, error) { return models.RecentActivity(db, limit) })
}

// healthJSON is the super admin dashboard's system health card.
type healthJSON struct {
	Status    string    `json:"status"`   // healthy | degraded
	Database  string    `json:"database"` // connected | disconnected
	Timestamp time.Time `json:"timestamp"`
	Error     string    `json:"error,omitempty"`
}

// handleAnalyticsHealth is the database cluster's health as the health
// checker sees it, plus a live query on the primary: "degraded" when a
// replica is out of rotation, "disconnected" when the primary doesn't answer.
func (a *analyticsAPI) handleAnalyticsHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	out := healthJSON{Status: "healthy", Database: "connected", Timestamp: a.now().UTC()}
	for _, n := range a.cluster.Status(ctx) {
		if n.Healthy {
			continue
		}
		out.Status = "degraded"
		if n.Role == "primary" {
			out.Database = "disconnected"
		}
		msg := n.Name + " is out of service"
		if n.Reason != "" {
			msg += " (" + n.Reason + ")"
		}
		if out.Error != "" {
			out.Error += "; "
		}
		out.Error += msg
	}
	writeJSON(w, http.StatusOK, out)
}
