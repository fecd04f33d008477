package models_test

import (
	"context"
	"testing"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/models"
)

// primary opens a fresh migrated database of the real cluster on its primary.
func primary(t *testing.T) *gorm.DB {
	t.Helper()
	d := dbtest.New(t)
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	g, err := gorm.Open(mysql.Open(cfg.Primary.FormatDSN()), &gorm.Config{TranslateError: true, Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := g.DB()
	t.Cleanup(func() { sqlDB.Close() })
	return g.WithContext(context.Background())
}

func TestReplaceWeeksKeepsIDsAndNeverTouchesOtherSchemes(t *testing.T) {
	db := primary(t)
	u := &models.User{Email: "t@example.com", FullName: "T", IsActive: true}
	if err := models.CreateUser(db, u); err != nil {
		t.Fatal(err)
	}
	mk := func() *models.Scheme {
		s := &models.Scheme{UserID: u.ID, Term: "Term 2", TermNumber: 2, Year: 2026, Subject: "Mathematics", Grade: "Grade 4", Status: "active",
			Weeks: []models.SchemeWeek{
				{WeekNumber: 1, Lessons: []models.SchemeLesson{{LessonNumber: 1, Strand: "A"}, {LessonNumber: 2, Strand: "B"}}},
				{WeekNumber: 2, Lessons: []models.SchemeLesson{{LessonNumber: 1, Strand: "C"}}},
			}}
		if err := models.CreateScheme(db, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s, other := mk(), mk()
	if s.TotalWeeks != 2 || s.TotalLessons != 3 {
		t.Fatalf("totals %d weeks, %d lessons", s.TotalWeeks, s.TotalLessons)
	}
	if err := models.LoadWeeks(db, s); err != nil {
		t.Fatal(err)
	}
	a, c := s.Weeks[0].Lessons[0], s.Weeks[1].Lessons[0]
	foreign := other.Weeks[0].Lessons[0].ID
	// Edit: A edited and moved to week 3, B deleted, C kept, a new lesson,
	// and another scheme's lesson id (must be a new row, not that lesson).
	a.Strand, a.LessonNumber = "A edited", 1
	weeks := []models.SchemeWeek{
		{WeekNumber: 2, Lessons: []models.SchemeLesson{c, {LessonNumber: 2, Strand: "new"}}},
		{WeekNumber: 3, Lessons: []models.SchemeLesson{a, {ID: foreign, LessonNumber: 2, Strand: "stolen"}}},
	}
	if err := models.UpdateScheme(db, s, map[string]any{}, weeks); err != nil {
		t.Fatal(err)
	}
	got, err := models.SchemeByID(db, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.LoadWeeks(db, &got.Scheme); err != nil {
		t.Fatal(err)
	}
	if got.TotalWeeks != 2 || got.TotalLessons != 4 || len(got.Weeks) != 2 {
		t.Fatalf("after the edit: %d weeks (%d rows), %d lessons", got.TotalWeeks, len(got.Weeks), got.TotalLessons)
	}
	w2, w3 := got.Weeks[0], got.Weeks[1]
	if w2.WeekNumber != 2 || w3.WeekNumber != 3 || w2.ID != s.Weeks[1].ID {
		t.Errorf("weeks %+v", got.Weeks)
	}
	if w2.Lessons[0].ID != c.ID || w2.Lessons[1].Strand != "new" {
		t.Errorf("week 2 lessons %+v", w2.Lessons)
	}
	if w3.Lessons[0].ID != a.ID || w3.Lessons[0].Strand != "A edited" || w3.Lessons[1].ID == foreign {
		t.Errorf("week 3 lessons %+v", w3.Lessons)
	}
	if err := models.LoadWeeks(db, other); err != nil {
		t.Fatal(err)
	}
	if l := other.Weeks[0].Lessons[0]; l.ID != foreign || l.Strand != "A" {
		t.Errorf("the other scheme's lesson changed: %+v", l)
	}
}
