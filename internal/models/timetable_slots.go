package models

import (
	"fmt"
	"strconv"
	"time"
)

// ScheduleTimes are a schedule's bell settings: what its time slots are made of.
type ScheduleTimes struct {
	SchoolStartTime          string // "HH:MM"
	SchoolEndTime            string
	SingleLessonDuration     int // minutes
	DoubleLessonDuration     int
	FirstBreakDuration       int
	SecondBreakDuration      int
	LunchBreakDuration       int
	LessonsBeforeFirstBreak  int
	LessonsBeforeSecondBreak int
	LessonsBeforeLunch       int
	LessonsAfterLunch        int
}

// Slot types.
const (
	SlotLesson = "lesson"
	SlotBreak  = "break"
	SlotLunch  = "lunch"
)

// TimeSlot is a row of time_slots: one lesson or break of a schedule's day.
type TimeSlot struct {
	ID            uint64 `gorm:"primaryKey"`
	ScheduleID    uint64
	SlotKey       string // "L<n>" for lesson n, "B1", "B2", "LUNCH": stable across regenerations
	SlotNumber    int    // the lesson's number, 0 for a break
	StartTime     string // "HH:MM"
	EndTime       string
	SlotType      string
	Label         string
	SequenceOrder int
}

// ParseClock reads "HH:MM" (24-hour) as minutes after midnight.
func ParseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// ClockText formats minutes after midnight as "HH:MM".
func ClockText(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// Bounds of a schedule, so that a day fits in a day and a slot list stays small.
const (
	maxLessonsPerSession = 8
	maxLessonMinutes     = 180
	maxBreakMinutes      = 180
)

// Validate checks the settings and returns the day's slots (see Slots).
func (s ScheduleTimes) Validate() ([]TimeSlot, error) {
	var fe []FieldError
	bad := func(field, msg string) { fe = append(fe, FieldError{Field: field, Message: msg}) }
	start, okStart := ParseClock(s.SchoolStartTime)
	end, okEnd := ParseClock(s.SchoolEndTime)
	if !okStart {
		bad("school_start_time", "must be a time as HH:MM, e.g. 08:00")
	}
	if !okEnd {
		bad("school_end_time", "must be a time as HH:MM, e.g. 16:00")
	}
	if s.SingleLessonDuration < 10 || s.SingleLessonDuration > maxLessonMinutes {
		bad("single_lesson_duration", fmt.Sprintf("must be from 10 to %d minutes", maxLessonMinutes))
	}
	if s.DoubleLessonDuration < s.SingleLessonDuration || s.DoubleLessonDuration > 2*maxLessonMinutes {
		bad("double_lesson_duration", "must be at least the single lesson's duration and at most twice the longest lesson")
	}
	for _, b := range []struct {
		field string
		v     int
	}{{"first_break_duration", s.FirstBreakDuration}, {"second_break_duration", s.SecondBreakDuration}, {"lunch_break_duration", s.LunchBreakDuration}} {
		if b.v < 0 || b.v > maxBreakMinutes {
			bad(b.field, fmt.Sprintf("must be from 0 to %d minutes", maxBreakMinutes))
		}
	}
	total := 0
	for _, n := range []struct {
		field string
		v     int
	}{{"lessons_before_first_break", s.LessonsBeforeFirstBreak}, {"lessons_before_second_break", s.LessonsBeforeSecondBreak},
		{"lessons_before_lunch", s.LessonsBeforeLunch}, {"lessons_after_lunch", s.LessonsAfterLunch}} {
		if n.v < 0 || n.v > maxLessonsPerSession {
			bad(n.field, fmt.Sprintf("must be from 0 to %d", maxLessonsPerSession))
		}
		total += n.v
	}
	if len(fe) == 0 && total == 0 {
		bad("lessons_before_first_break", "a schedule needs at least one lesson")
	}
	if len(fe) > 0 {
		return nil, &ValidationError{Fields: fe}
	}
	if end <= start {
		return nil, Invalid("school_end_time", "must be after school_start_time")
	}
	slots, dayEnd := s.slots(start)
	if dayEnd > end {
		return nil, Invalid("school_end_time", fmt.Sprintf("the lessons and breaks end at %s, after the school's end time %s: shorten them or end the day later",
			ClockText(dayEnd%(24*60)), s.SchoolEndTime))
	}
	return slots, nil
}

// slots lays the day out from start: the lessons of each session, each
// session but the last followed by its break when the break has a duration
// and lessons come after it. Lesson slots are numbered 1.. through the day.
// It returns the slots and the minute the day ends (past 24*60 when it runs
// over midnight, which Validate refuses).
func (s ScheduleTimes) slots(start int) ([]TimeSlot, int) {
	sessions := []struct {
		lessons  int
		brk      int
		key, lbl string
		typ      string
	}{
		{s.LessonsBeforeFirstBreak, s.FirstBreakDuration, "B1", "First Break", SlotBreak},
		{s.LessonsBeforeSecondBreak, s.SecondBreakDuration, "B2", "Second Break", SlotBreak},
		{s.LessonsBeforeLunch, s.LunchBreakDuration, "LUNCH", "Lunch Break", SlotLunch},
		{s.LessonsAfterLunch, 0, "", "", ""},
	}
	remaining := s.LessonsBeforeFirstBreak + s.LessonsBeforeSecondBreak + s.LessonsBeforeLunch + s.LessonsAfterLunch
	var out []TimeSlot
	at, lesson := start, 0
	add := func(key string, number, minutes int, typ, label string) {
		out = append(out, TimeSlot{SlotKey: key, SlotNumber: number, StartTime: ClockText(at % (24 * 60)), EndTime: ClockText((at + minutes) % (24 * 60)),
			SlotType: typ, Label: label, SequenceOrder: len(out) + 1})
		at += minutes
	}
	for _, ss := range sessions {
		for range ss.lessons {
			lesson++
			remaining--
			add("L"+strconv.Itoa(lesson), lesson, s.SingleLessonDuration, SlotLesson, "Lesson "+strconv.Itoa(lesson))
		}
		if ss.brk > 0 && remaining > 0 {
			add(ss.key, 0, ss.brk, ss.typ, ss.lbl)
		}
	}
	return out, at
}
