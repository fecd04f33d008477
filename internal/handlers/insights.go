package handlers

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// The teacher dashboard's widgets (GET /dashboard/insights, /deadlines,
// /resources), in the camelCase the frontend's dashboard reads. Every figure
// comes from the teacher's own rows; what the product does not record (pupil
// attendance, assessments) is null, never an invented number.

const (
	insightsDays     = 30  // "this month" of the insights widget
	insightsWeeks    = 4   // the weekly trend's weeks, this one included
	insightsTopN     = 5   // subjects and hours listed
	deadlineHorizon  = 180 // days ahead the deadlines look
	deadlinesShown   = 10
	resourcesShown   = 6
	peakHoursListed  = 5
	weekLabelCurrent = "This week"
)

type hourCountJSON struct {
	Hour  string `json:"hour"`
	Count int64  `json:"count"`
}

type weekJSON struct {
	Week      string `json:"week"`
	Lessons   int64  `json:"lessons"`   // lessons the timetable has on that week's teaching days
	Completed int64  `json:"completed"` // lessons marked taught that week
}

type insightsJSON struct {
	MostTaughtSubjects    []models.SubjectTaught `json:"mostTaughtSubjects"`
	AverageLessonDuration *int                   `json:"averageLessonDuration"`
	PeakTeachingHours     []hourCountJSON        `json:"peakTeachingHours"`
	WeeklyComparison      []weekJSON             `json:"weeklyComparison"`
}

// monday is the start of the week containing now, in now's location.
func monday(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d-(int(now.Weekday())+6)%7, 0, 0, 0, 0, now.Location())
}

func weekLabel(i, weeks int) string {
	switch ago := weeks - 1 - i; ago {
	case 0:
		return weekLabelCurrent
	case 1:
		return "Last week"
	default:
		return strconv.Itoa(ago) + " weeks ago"
	}
}

// handleInsights is the teaching insights widget and the weekly trend: five
// statements (subjects taught, lesson length, timetable, completions per
// week, terms).
func (a *analyticsAPI) handleInsights(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	now := a.now().In(a.schoolZone())
	first := monday(now).AddDate(0, 0, -7*(insightsWeeks-1))
	a.bounded(w, r, func(db *gorm.DB) (any, error) {
		var out insightsJSON
		since := now.AddDate(0, 0, -insightsDays)
		var err error
		if out.MostTaughtSubjects, err = models.MostTaughtSince(db, p.UserID, since, insightsTopN); err != nil {
			return nil, err
		}
		if out.AverageLessonDuration, err = models.AverageLessonMinutes(db, p.UserID, since); err != nil {
			return nil, err
		}
		slots, err := models.WeeklyTimetable(db, p.UserID)
		if err != nil {
			return nil, err
		}
		done, err := models.CompletionsPerWeek(db, p.UserID, first, insightsWeeks)
		if err != nil {
			return nil, err
		}
		terms, err := models.TermsBetween(db, p.SchoolID, first, first.AddDate(0, 0, 7*insightsWeeks-1))
		if err != nil {
			return nil, err
		}
		out.PeakTeachingHours = peakHours(slots)
		perDay := map[int]int64{}
		for _, s := range slots {
			perDay[s.Day] += s.Count
		}
		out.WeeklyComparison = make([]weekJSON, insightsWeeks)
		for i := range out.WeeklyComparison {
			wk := weekJSON{Week: weekLabel(i, insightsWeeks), Completed: done[i]}
			for d := range 7 {
				if models.IsTeachingDay(terms, first.AddDate(0, 0, 7*i+d)) {
					wk.Lessons += perDay[d+1]
				}
			}
			out.WeeklyComparison[i] = wk
		}
		return out, nil
	})
}

// peakHours sums the timetable's lessons by starting hour, busiest first.
func peakHours(slots []models.SlotCount) []hourCountJSON {
	byHour := map[string]int64{}
	for _, s := range slots {
		byHour[s.Hour] += s.Count
	}
	out := make([]hourCountJSON, 0, len(byHour))
	for h, n := range byHour {
		out = append(out, hourCountJSON{Hour: h, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Hour < out[j].Hour
	})
	return out[:min(len(out), peakHoursListed)]
}

type deadlineJSON struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Date      string `json:"date"` // YYYY-MM-DD
	Type      string `json:"type"` // scheme | report | other
	DaysUntil int    `json:"daysUntil"`
}

// termTitle names a term with its year unless its name has it.
func termTitle(t models.Term) string {
	name := t.TermName
	if name == "" {
		name = "Term " + strconv.Itoa(t.TermNumber)
	}
	if y := strconv.Itoa(t.Year); !strings.Contains(name, y) {
		name += " " + y
	}
	return name
}

// handleDeadlines lists the teacher's coming dates from the one term-date
// source (their school's terms, else the national calendar): term starts,
// half-term breaks and term ends, a scheme of work due on the first day of
// the next term for each of their subjects that has none for it, and their
// school's calendar activities. Three statements.
func (a *analyticsAPI) handleDeadlines(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	today := models.Day(a.now().In(a.schoolZone()))
	a.bounded(w, r, func(db *gorm.DB) (any, error) {
		terms, err := models.TermsBetween(db, p.SchoolID, today, today.AddDate(0, 0, deadlineHorizon))
		if err != nil {
			return nil, err
		}
		out := []deadlineJSON{}
		add := func(id, title string, day time.Time, kind string) {
			if day.Before(today) || day.After(today.AddDate(0, 0, deadlineHorizon)) {
				return
			}
			out = append(out, deadlineJSON{ID: id, Title: title, Date: day.Format(time.DateOnly), Type: kind, DaysUntil: int(day.Sub(today).Hours() / 24)})
		}
		var next *models.Term
		for i, t := range terms {
			key := fmt.Sprintf("%s-%d", t.Source, t.ID)
			if t.StartDate.After(today) {
				add("term-start-"+key, termTitle(t)+" begins", t.StartDate, "other")
				if next == nil {
					next = &terms[i]
				}
			}
			if t.MidTermBreakStart != nil {
				add("half-term-"+key, "Half-term break, "+termTitle(t), *t.MidTermBreakStart, "other")
			}
			add("term-end-"+key, "End of "+termTitle(t)+": records of work and reports", t.EndDate, "report")
		}
		if next != nil {
			missing, err := models.SubjectsWithoutScheme(db, p.UserID, next.Year, next.TermNumber)
			if err != nil {
				return nil, err
			}
			for _, m := range missing {
				add(fmt.Sprintf("scheme-%d-%d-%d", m.SubjectID, next.Year, next.TermNumber),
					fmt.Sprintf("Scheme of work for %s %s, %s", m.SubjectName, m.Grade, termTitle(*next)), next.StartDate, "scheme")
			}
		}
		// The school's own calendar (exams, sports days, meetings) as its admin keeps it.
		acts, err := models.UpcomingActivities(db, p.SchoolID, today, deadlinesShown)
		if err != nil {
			return nil, err
		}
		for _, act := range acts {
			add(fmt.Sprintf("activity-%d", act.ID), activityTitle(act), act.ActivityDate, "other")
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].DaysUntil < out[j].DaysUntil })
		return out[:min(len(out), deadlinesShown)], nil
	})
}

// activityTitle is a calendar activity as a deadline's title: its name, and
// its type when that says more than "Other".
func activityTitle(a models.CalendarActivity) string {
	if t := strings.TrimSpace(a.ActivityType); t != "" && !strings.EqualFold(t, "other") {
		return a.ActivityName + " (" + t + ")"
	}
	return a.ActivityName
}

// handleResources is the teacher's six most recently changed notes, lesson
// plans and schemes of work (one statement).
func (a *analyticsAPI) handleResources(w http.ResponseWriter, r *http.Request) {
	uid := principalFrom(r.Context()).UserID
	a.bounded(w, r, func(db *gorm.DB) (any, error) { return models.RecentResources(db, uid, resourcesShown) })
}
