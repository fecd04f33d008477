package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/models"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestTeachingWeeks(t *testing.T) {
	p := func(t time.Time) *time.Time { return &t }
	for _, tt := range []struct {
		name        string
		start, end  time.Time
		brk, brkEnd *time.Time
		want        int
	}{
		{"one day", date(2026, 1, 5), date(2026, 1, 5), nil, nil, 1},
		{"Monday to Friday", date(2026, 1, 5), date(2026, 1, 9), nil, nil, 1},
		{"Monday to next Monday", date(2026, 1, 5), date(2026, 1, 12), nil, nil, 2},
		{"13 calendar weeks less a mid-term week", date(2025, 1, 6), date(2025, 4, 4), p(date(2025, 2, 17)), p(date(2025, 2, 21)), 12},
		{"term 3 of 2025", date(2025, 8, 25), date(2025, 10, 24), nil, nil, 9},
		{"never below one", date(2026, 1, 5), date(2026, 1, 9), p(date(2026, 1, 5)), p(date(2026, 1, 9)), 1},
	} {
		if got := models.TeachingWeeks(tt.start, tt.end, tt.brk, tt.brkEnd); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestKenyanCalendar(t *testing.T) {
	for _, year := range []int{2025, 2026, 2027, 2028} {
		terms := models.KenyanCalendar(year)
		if len(terms) != 3 {
			t.Fatalf("%d: %d terms", year, len(terms))
		}
		for i, d := range terms {
			if d.TermNumber != i+1 || d.Year != year || d.TermName == "" || d.TeachingWeeks < 8 {
				t.Errorf("%d term %d: %+v", year, i+1, d)
			}
			if d.StartDate.Weekday() != time.Monday || d.EndDate.Weekday() != time.Friday {
				t.Errorf("%d term %d: %s (%s) to %s (%s), want Monday to Friday", year, i+1,
					d.StartDate.Format(time.DateOnly), d.StartDate.Weekday(), d.EndDate.Format(time.DateOnly), d.EndDate.Weekday())
			}
			if i > 0 && !terms[i-1].EndDate.Before(d.StartDate) {
				t.Errorf("%d: term %d overlaps the one before", year, i+1)
			}
			if err := d.Validate(); err != nil {
				t.Errorf("%d term %d: %v", year, i+1, err)
			}
		}
	}
	// 2025's dates are the ones the ministry published.
	got := models.KenyanCalendar(2025)
	if !got[0].StartDate.Equal(date(2025, 1, 6)) || !got[0].EndDate.Equal(date(2025, 4, 4)) ||
		!got[1].StartDate.Equal(date(2025, 4, 28)) || !got[1].EndDate.Equal(date(2025, 8, 1)) ||
		!got[0].MidTermBreakStart.Equal(date(2025, 2, 17)) || !got[0].MidTermBreakEnd.Equal(date(2025, 2, 21)) {
		t.Errorf("2025: %+v", got)
	}
}

func TestTermDatesValidate(t *testing.T) {
	p := func(t time.Time) *time.Time { return &t }
	ok := models.TermDates{TermNumber: 1, Year: 2026, StartDate: date(2026, 1, 5), EndDate: date(2026, 4, 2)}
	if err := ok.Validate(); err != nil || ok.TermName != "Term 1" || ok.TeachingWeeks != 13 {
		t.Fatalf("valid dates: %v, %+v", err, ok)
	}
	for name, d := range map[string]models.TermDates{
		"term 4":             {TermNumber: 4, Year: 2026, StartDate: date(2026, 1, 5), EndDate: date(2026, 4, 2)},
		"year 1999":          {TermNumber: 1, Year: 1999, StartDate: date(2026, 1, 5), EndDate: date(2026, 4, 2)},
		"end before start":   {TermNumber: 1, Year: 2026, StartDate: date(2026, 4, 5), EndDate: date(2026, 4, 2)},
		"half a break":       {TermNumber: 1, Year: 2026, StartDate: date(2026, 1, 5), EndDate: date(2026, 4, 2), MidTermBreakStart: p(date(2026, 2, 16))},
		"break outside term": {TermNumber: 1, Year: 2026, StartDate: date(2026, 1, 5), EndDate: date(2026, 4, 2), MidTermBreakStart: p(date(2026, 4, 16)), MidTermBreakEnd: p(date(2026, 4, 20))},
		"break backwards":    {TermNumber: 1, Year: 2026, StartDate: date(2026, 1, 5), EndDate: date(2026, 4, 2), MidTermBreakStart: p(date(2026, 2, 20)), MidTermBreakEnd: p(date(2026, 2, 16))},
	} {
		if err := d.Validate(); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// termsDB is a fresh migrated database of the local cluster, on its primary.
func termsDB(t *testing.T) *gorm.DB {
	t.Helper()
	d := dbtest.New(t)
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Replicas = nil
	c, err := db.Open(context.Background(), db.OptionsFromConfig(cfg, nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.OnPrimary(context.Background())
}

func mustSchool(t *testing.T, g *gorm.DB, name string) *uint64 {
	t.Helper()
	s := &models.School{Name: name}
	if err := models.CreateSchool(g, s); err != nil {
		t.Fatal(err)
	}
	return &s.ID
}

func TestResolveTerm(t *testing.T) {
	g := termsDB(t)
	schoolA, schoolB, schoolC := mustSchool(t, g, "A"), mustSchool(t, g, "B"), mustSchool(t, g, "C")
	if _, err := models.GenerateSystemYear(g, 2026, date(2026, 2, 2), nil); err != nil {
		t.Fatal(err)
	}
	// School A has its own term 1 of 2026 and a term 3 of 2027 (no system one);
	// school B its own term 2 of 2026.
	own := func(school *uint64, d models.TermDates) {
		t.Helper()
		if err := models.SaveSchoolTerm(g, &models.SchoolTerm{SchoolID: *school}, d); err != nil {
			t.Fatal(err)
		}
	}
	own(schoolA, models.TermDates{TermNumber: 1, Year: 2026, StartDate: date(2026, 1, 7), EndDate: date(2026, 4, 1)})
	own(schoolA, models.TermDates{TermNumber: 3, Year: 2027, StartDate: date(2027, 9, 1), EndDate: date(2027, 11, 1)})
	own(schoolB, models.TermDates{TermNumber: 2, Year: 2026, StartDate: date(2026, 5, 4), EndDate: date(2026, 8, 7)})

	for _, tt := range []struct {
		name       string
		school     *uint64
		year, term int
		wantSource string
		wantStart  time.Time
	}{
		{"school override", schoolA, 2026, 1, models.TermSourceSchool, date(2026, 1, 7)},
		{"system fallback for a school", schoolA, 2026, 2, models.TermSourceSystem, date(2026, 4, 27)},
		{"no school: system terms", nil, 2026, 1, models.TermSourceSystem, date(2026, 1, 5)},
		{"no school never sees a school's term", nil, 2026, 2, models.TermSourceSystem, date(2026, 4, 27)},
		{"never another school's term", schoolC, 2026, 2, models.TermSourceSystem, date(2026, 4, 27)},
		{"another school's override does not leak", schoolA, 2026, 2, models.TermSourceSystem, date(2026, 4, 27)},
		{"a school's own term without a system one", schoolA, 2027, 3, models.TermSourceSchool, date(2027, 9, 1)},
	} {
		got, err := models.ResolveTerm(g, tt.school, tt.year, tt.term)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got.Source != tt.wantSource || !got.StartDate.Equal(tt.wantStart) || got.TermNumber != tt.term || got.Year != tt.year {
			t.Errorf("%s: got %s term %d/%d from %s, want %s from %s", tt.name, got.Source, got.TermNumber, got.Year,
				got.StartDate.Format(time.DateOnly), tt.wantSource, tt.wantStart.Format(time.DateOnly))
		}
		if (got.Source == models.TermSourceSchool) != (got.SchoolID != nil) || (got.SchoolID != nil && *got.SchoolID != *tt.school) {
			t.Errorf("%s: school id %v for source %s", tt.name, got.SchoolID, got.Source)
		}
	}
	got, _ := models.ResolveTerm(g, nil, 2026, 1)
	if got.MidTermBreakStart == nil || !got.MidTermBreakStart.Equal(date(2026, 2, 16)) || got.TeachingWeeks != 12 || got.TermName != "Term 1" {
		t.Errorf("system term 1 of 2026: %+v", got)
	}

	for _, tt := range []struct {
		name       string
		school     *uint64
		year, term int
	}{
		{"no term of that year", nil, 2030, 1},
		{"another school's own term", schoolB, 2027, 3},
		{"no school and only a school's term", nil, 2027, 3},
	} {
		_, err := models.ResolveTerm(g, tt.school, tt.year, tt.term)
		var se *models.SentenceError
		if !errors.Is(err, models.ErrNotFound) || !errors.As(err, &se) || se.Sentence == "" {
			t.Errorf("%s: %v, want ErrNotFound with a sentence", tt.name, err)
		}
	}
}

func TestCurrentTerm(t *testing.T) {
	g := termsDB(t)
	schoolA := mustSchool(t, g, "A")
	if _, err := models.GenerateSystemYear(g, 2026, date(2026, 1, 1), nil); err != nil {
		t.Fatal(err)
	}
	// School A's term 2 starts a week later than the system's.
	if err := models.SaveSchoolTerm(g, &models.SchoolTerm{SchoolID: *schoolA},
		models.TermDates{TermNumber: 2, Year: 2026, StartDate: date(2026, 5, 4), EndDate: date(2026, 8, 7)}); err != nil {
		t.Fatal(err)
	}
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		school     *uint64
		today      time.Time
		wantNumber int
		wantSource string
	}{
		{"first day of term 1", nil, date(2026, 1, 5), 1, models.TermSourceSystem},
		{"last day of term 1", nil, date(2026, 4, 3), 1, models.TermSourceSystem},
		{"before the year: the next term", nil, date(2025, 12, 20), 1, models.TermSourceSystem},
		{"April holiday: term 2 next", nil, date(2026, 4, 10), 2, models.TermSourceSystem},
		{"term 2 for a teacher without a school", nil, date(2026, 4, 29), 2, models.TermSourceSystem},
		{"school's term 2 not begun: still the holiday, its term next", schoolA, date(2026, 4, 29), 2, models.TermSourceSchool},
		{"school's term 2 runs past the system's", schoolA, date(2026, 8, 5), 2, models.TermSourceSchool},
		{"system term 2 over: term 3 next", nil, date(2026, 8, 5), 3, models.TermSourceSystem},
		// 23:30 UTC on 4 January is already 5 January in Nairobi: term 1 has begun.
		{"today in APP_TIMEZONE", nil, time.Date(2026, 1, 4, 23, 30, 0, 0, time.UTC).In(nairobi), 1, models.TermSourceSystem},
	} {
		got, err := models.CurrentTerm(g, tt.school, tt.today)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got.TermNumber != tt.wantNumber || got.Source != tt.wantSource || got.Year != 2026 {
			t.Errorf("%s: got %s term %d/%d, want %s term %d", tt.name, got.Source, got.TermNumber, got.Year, tt.wantSource, tt.wantNumber)
		}
	}
	if got, _ := models.CurrentTerm(g, nil, date(2026, 1, 5)); !got.Contains(date(2026, 1, 5)) || got.Contains(date(2026, 4, 4)) {
		t.Errorf("Contains: %+v", got)
	}
	if got, _ := models.CurrentTerm(g, nil, date(2026, 2, 18)); !got.InMidTermBreak(date(2026, 2, 18)) || got.InMidTermBreak(date(2026, 2, 23)) {
		t.Errorf("InMidTermBreak: %+v", got)
	}
	if _, err := models.CurrentTerm(g, nil, date(2026, 11, 1)); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("after the last term: %v, want ErrNotFound", err)
	}

	terms, err := models.TermsForYear(g, schoolA, 2026)
	if err != nil || len(terms) != 3 || terms[1].Source != models.TermSourceSchool || terms[0].Source != models.TermSourceSystem {
		t.Errorf("TermsForYear: %v, %+v", err, terms)
	}
}

func TestSystemTermStore(t *testing.T) {
	g := termsDB(t)
	if _, err := models.GenerateSystemYear(g, 2026, date(2026, 2, 2), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := models.GenerateSystemYear(g, 2026, date(2026, 2, 2), nil); !errors.Is(err, models.ErrConflict) {
		t.Errorf("generating a year twice: %v, want ErrConflict", err)
	}
	terms, err := models.ListSystemTerms(g, 2026)
	if err != nil || len(terms) != 3 || !terms[0].IsCurrent || terms[1].IsCurrent {
		t.Fatalf("after generating: %v %+v", err, terms)
	}
	dup := models.SystemTerm{}
	if err := models.SaveSystemTerm(g, &dup, terms[0].TermDates, false); !errors.Is(err, models.ErrConflict) {
		t.Errorf("a second term 1 of 2026: %v, want ErrConflict", err)
	}
	if _, err := models.SetCurrentSystemTerm(g, terms[2].ID); err != nil {
		t.Fatal(err)
	}
	var current []uint64
	g.Model(&models.SystemTerm{}).Where("is_current").Pluck("id", &current)
	if len(current) != 1 || current[0] != terms[2].ID {
		t.Errorf("current after set-current: %v, want [%d]", current, terms[2].ID)
	}
	if _, err := models.SetCurrentSystemTerm(g, 999999); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("set-current of no term: %v", err)
	}
}
