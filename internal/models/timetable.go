package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Schedule is a row of school_schedules: one education level's bell times,
// owned by a school (SchoolID set) or by one teacher.
type Schedule struct {
	ID             uint64 `gorm:"primaryKey"`
	Scope          string
	UserID         uint64
	SchoolID       *uint64
	ScheduleName   string
	EducationLevel string
	ScheduleTimes  `gorm:"embedded"`
	IsActive       bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName is school_schedules (the original's name, kept for operators).
func (Schedule) TableName() string { return "school_schedules" }

var (
	// ErrNoSuchSchedule is what a caller who may not see a schedule is told.
	ErrNoSuchSchedule = Sentence(ErrNotFound, "There is no such schedule.")
	// ErrNoActiveSchedule: nothing applies to the caller for that level.
	ErrNoActiveSchedule = Sentence(ErrNotFound, "No active schedule found: set up your school day on the timetable setup page first.")
	errNoSuchSlot       = Sentence(ErrNotFound, "There is no such time slot.")
	errNoSuchEntry      = Sentence(ErrNotFound, "There is no such timetable entry.")
	errSchoolSchedule   = Sentence(ErrForbidden, "This is your school's schedule: only your school's admins change it. Save your own schedule with POST /timetable/schedules instead.")
)

// userScope and schoolScope are the values of school_schedules.scope.
func userScope(id uint64) string   { return fmt.Sprintf("user:%d", id) }
func schoolScope(id uint64) string { return fmt.Sprintf("school:%d", id) }

// ScheduleOwner is who saves a schedule: a school admin saves their school's,
// anyone else their own.
func ScheduleOwner(v Viewer) (scope string, schoolID *uint64) {
	if v.Role == RoleSchoolAdmin && v.SchoolID != nil {
		return schoolScope(*v.SchoolID), v.SchoolID
	}
	return userScope(v.UserID), nil
}

// readScopes are the scopes whose schedules apply to v, most specific first:
// their own, then their school's.
func readScopes(v Viewer) []string {
	own, _ := ScheduleOwner(v)
	out := []string{own}
	if v.SchoolID != nil && own != schoolScope(*v.SchoolID) {
		out = append(out, schoolScope(*v.SchoolID))
	}
	return out
}

// NormalizeLevel is the stored form of an education level: trimmed; "all"
// and "general" (the frontend's "every level") are the blank level.
func NormalizeLevel(level string) string {
	level = strings.TrimSpace(level)
	switch strings.ToLower(level) {
	case "all", "general", "all levels":
		return ""
	}
	return level
}

// ActiveSchedule is the schedule that applies to v for education level
// (blank: any): among the active schedules of v's own scope, then of v's
// school, the one of exactly that level, else one made for every level (blank
// level); with no level asked, the most recently saved. One statement.
func ActiveSchedule(db *gorm.DB, v Viewer, level string) (*Schedule, error) {
	level = NormalizeLevel(level)
	scopes := readScopes(v)
	q := db.Where("scope IN ? AND is_active", scopes)
	// FIELD() ranks the caller's own scope before the school's.
	order := clause.Expr{SQL: "FIELD(scope, ?)", Vars: []any{scopes}}
	if level != "" {
		q = q.Where("education_level IN ?", []string{level, ""}).
			Order(order).Order(clause.Expr{SQL: "education_level = ? DESC", Vars: []any{level}})
	} else {
		q = q.Order(order)
	}
	var s Schedule
	if err := translate(q.Order("updated_at DESC, id DESC").Take(&s).Error); err != nil {
		return nil, notFound(err, ErrNoActiveSchedule)
	}
	return &s, nil
}

// ScheduleForWrite returns schedule id if v may change it (their own, or
// their school's for its admin, any for a super admin). One they may read but
// not change is ErrForbidden; one they may not see is ErrNoSuchSchedule.
func ScheduleForWrite(db *gorm.DB, v Viewer, id uint64) (*Schedule, error) {
	var s Schedule
	if err := translate(db.Take(&s, id).Error); err != nil {
		return nil, notFound(err, ErrNoSuchSchedule)
	}
	own, _ := ScheduleOwner(v)
	switch {
	case s.Scope == own, v.Role == RoleSuperAdmin:
		return &s, nil
	case v.SchoolID != nil && s.Scope == schoolScope(*v.SchoolID):
		return nil, errSchoolSchedule
	}
	return nil, ErrNoSuchSchedule
}

// SaveSchedule validates s's times and stores it with its time slots, in the
// transaction tx: a new schedule (s.ID 0) whose scope already has one for its
// education level updates that one instead, so saving twice never
// duplicates. The slots are regenerated in place: each keeps its id (and the
// timetable entries in it) by its key, lesson n stays lesson n with new times,
// and slots the new day no longer has go, with their entries. It reports
// whether a schedule was created. A constant number of statements.
func SaveSchedule(tx *gorm.DB, s *Schedule) (created bool, err error) {
	slots, err := s.ScheduleTimes.Validate()
	if err != nil {
		return false, err
	}
	s.EducationLevel = NormalizeLevel(s.EducationLevel)
	if s.ID == 0 {
		var existing Schedule
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("scope = ? AND education_level = ?", s.Scope, s.EducationLevel).Take(&existing).Error
		switch err = translate(err); {
		case err == nil:
			s.ID, s.CreatedAt = existing.ID, existing.CreatedAt
		case !errors.Is(err, ErrNotFound):
			return false, err
		}
	}
	if s.ID == 0 {
		if err := translate(tx.Create(s).Error); err != nil {
			return false, err
		}
		created = true
	} else if err := translate(tx.Select("*").Omit("id", "created_at", "scope", "user_id", "school_id").Updates(s).Error); err != nil {
		if errors.Is(err, ErrConflict) {
			return false, fmt.Errorf("%w: %w", Sentence(ErrConflict, "There is already a schedule for this education level: edit that one."), err)
		}
		return false, err
	}
	keys := make([]string, len(slots))
	for i := range slots {
		slots[i].ScheduleID = s.ID
		keys[i] = slots[i].SlotKey
	}
	err = tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "schedule_id"}, {Name: "slot_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"slot_number", "start_time", "end_time", "slot_type", "label", "sequence_order"}),
	}).Create(&slots).Error
	if err := translate(err); err != nil {
		return false, err
	}
	if err := translate(tx.Where("schedule_id = ? AND slot_key NOT IN ?", s.ID, keys).Delete(&TimeSlot{}).Error); err != nil {
		return false, err
	}
	return created, translate(tx.Where("id = ?", s.ID).Take(s).Error)
}

// ScheduleSlots returns the slots of schedule id in the day's order.
func ScheduleSlots(db *gorm.DB, scheduleID uint64) ([]TimeSlot, error) {
	out := []TimeSlot{}
	return out, translate(db.Where("schedule_id = ?", scheduleID).Order("sequence_order, id").Find(&out).Error)
}

// Entry is a row of timetable_entries: one of a teacher's lessons in a slot
// on a day of the week (1 = Monday … 7 = Sunday).
type Entry struct {
	ID             uint64 `gorm:"primaryKey"`
	UserID         uint64
	ScheduleID     uint64
	TimeSlotID     uint64
	SubjectID      uint64
	DayOfWeek      int
	StrandID       *uint64
	SubstrandID    *uint64 `gorm:"column:substrand_id"`
	LessonID       *uint64
	RoomNumber     *string
	GradeSection   *string
	Notes          *string
	IsDoubleLesson bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName is timetable_entries.
func (Entry) TableName() string { return "timetable_entries" }

// EntryFilter selects a teacher's entries.
type EntryFilter struct {
	UserID         uint64
	DayOfWeek      int    // 0: every day
	EducationLevel string // blank: every level
}

// ListEntries returns the entries f selects, by day and the slot's place in
// the day. One statement.
func ListEntries(db *gorm.DB, f EntryFilter) ([]Entry, error) {
	out := []Entry{}
	q := db.Table("timetable_entries AS e").Select("e.*").
		Joins("JOIN time_slots ts ON ts.id = e.time_slot_id").
		Where("e.user_id = ?", f.UserID)
	if f.DayOfWeek != 0 {
		q = q.Where("e.day_of_week = ?", f.DayOfWeek)
	}
	if lvl := NormalizeLevel(f.EducationLevel); lvl != "" {
		q = q.Joins("JOIN school_schedules sc ON sc.id = e.schedule_id").Where("sc.education_level IN ?", []string{lvl, ""})
	}
	return out, translate(q.Order("e.day_of_week, ts.start_time, e.id").Scan(&out).Error)
}

// EntryByID returns entry id of user userID; anyone else's is not found.
func EntryByID(db *gorm.DB, userID, id uint64) (*Entry, error) {
	var e Entry
	if err := translate(db.Where("id = ? AND user_id = ?", id, userID).Take(&e).Error); err != nil {
		return nil, notFound(err, errNoSuchEntry)
	}
	return &e, nil
}

// DeleteEntry removes entry id of user userID.
func DeleteEntry(db *gorm.DB, userID, id uint64) error {
	return deleteOne(db.Where("id = ? AND user_id = ?", id, userID), &Entry{}, errNoSuchEntry)
}

// entryRefs is what an entry's ids point at, read in one statement to check
// they are the caller's: the slot (in a schedule that applies to them), the
// subject (theirs), and its curriculum parts.
type entryRefs struct {
	SlotScheduleID *uint64
	SlotType       *string
	SlotSequence   *int
	NextSlotType   *string
	SubjectOK      bool
	StrandOK       bool
	SubstrandOK    bool
	LessonOK       bool
}

// SaveEntry checks e's references for viewer v and stores it (insert when
// e.ID is 0). Another's subject or a slot of a schedule that doesn't apply to
// v is not found; a break is invalid; a double lesson needs the next slot to
// be a lesson; a taken slot (or the second half of a double lesson) is
// ErrConflict. Run it in a transaction; a constant number of statements.
func SaveEntry(tx *gorm.DB, v Viewer, e *Entry) error {
	if e.DayOfWeek < 1 || e.DayOfWeek > 7 {
		return Invalid("day_of_week", "must be from 1 (Monday) to 7 (Sunday)")
	}
	var r entryRefs
	scopes := readScopes(v)
	err := tx.Raw(`SELECT
		(SELECT ts.schedule_id FROM time_slots ts JOIN school_schedules sc ON sc.id = ts.schedule_id WHERE ts.id = ? AND sc.scope IN ?) AS slot_schedule_id,
		(SELECT ts.slot_type FROM time_slots ts WHERE ts.id = ?) AS slot_type,
		(SELECT ts.sequence_order FROM time_slots ts WHERE ts.id = ?) AS slot_sequence,
		(SELECT n.slot_type FROM time_slots ts JOIN time_slots n ON n.schedule_id = ts.schedule_id AND n.sequence_order = ts.sequence_order + 1 WHERE ts.id = ?) AS next_slot_type,
		EXISTS (SELECT 1 FROM subjects WHERE id = ? AND user_id = ?) AS subject_ok,
		(? IS NULL OR EXISTS (SELECT 1 FROM strands WHERE id = ? AND subject_id = ?)) AS strand_ok,
		(? IS NULL OR EXISTS (SELECT 1 FROM sub_strands ss JOIN strands s ON s.id = ss.strand_id WHERE ss.id = ? AND s.subject_id = ?)) AS substrand_ok,
		(? IS NULL OR EXISTS (SELECT 1 FROM lessons l JOIN sub_strands ss ON ss.id = l.substrand_id JOIN strands s ON s.id = ss.strand_id WHERE l.id = ? AND s.subject_id = ?)) AS lesson_ok`,
		e.TimeSlotID, scopes, e.TimeSlotID, e.TimeSlotID, e.TimeSlotID, e.SubjectID, v.UserID,
		e.StrandID, e.StrandID, e.SubjectID, e.SubstrandID, e.SubstrandID, e.SubjectID, e.LessonID, e.LessonID, e.SubjectID).Scan(&r).Error
	if err != nil {
		return translate(err)
	}
	switch {
	case r.SlotScheduleID == nil:
		return errNoSuchSlot
	case !r.SubjectOK:
		return ErrNoSuchSubject
	case !r.StrandOK:
		return Sentence(ErrNotFound, "There is no such strand in this subject.")
	case !r.SubstrandOK:
		return Sentence(ErrNotFound, "There is no such sub-strand in this subject.")
	case !r.LessonOK:
		return ErrNoSuchLesson
	case *r.SlotType != SlotLesson:
		return Invalid("time_slot_id", "is a break: lessons go in lesson slots")
	case e.IsDoubleLesson && (r.NextSlotType == nil || *r.NextSlotType != SlotLesson):
		return Invalid("is_double_lesson", "a double lesson takes this slot and the next, and the next is a break or the end of the day")
	}
	e.ScheduleID, e.UserID = *r.SlotScheduleID, v.UserID
	// A double lesson also holds the next slot: no other lesson of the
	// teacher's may sit there, nor a double lesson in the slot before end in
	// this one.
	var clash int64
	err = tx.Table("timetable_entries AS o").
		Joins("JOIN time_slots os ON os.id = o.time_slot_id").
		Where("o.user_id = ? AND o.day_of_week = ? AND o.id <> ? AND os.schedule_id = ?", v.UserID, e.DayOfWeek, e.ID, e.ScheduleID).
		Where("(os.sequence_order = ? AND ?) OR (os.sequence_order = ? AND o.is_double_lesson)", *r.SlotSequence+1, e.IsDoubleLesson, *r.SlotSequence-1).
		Count(&clash).Error
	if err != nil {
		return translate(err)
	}
	if clash > 0 {
		return Sentence(ErrConflict, "A double lesson would overlap another lesson of yours on this day: move one of them first.")
	}
	return saveRow(tx, e, e.ID, "user_id", "You already have a lesson in this slot on this day: move or delete it first.")
}
