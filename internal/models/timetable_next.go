package models

import (
	"time"

	"gorm.io/gorm"
)

// EntrySlot is a timetable entry with its slot and subject, as the "next
// lesson" and the dashboard show it.
type EntrySlot struct {
	Entry
	SlotStartTime string
	SlotEndTime   string
	SlotLabel     string
	SlotType      string
	SlotNumber    int
	SubjectName   string
	Grade         string
	// DoubleEndTime is the end of the slot after this one, which a double
	// lesson also takes ("" for none).
	DoubleEndTime string
}

// EntriesWithSlots returns every entry of user userID with its slot and
// subject. One statement.
func EntriesWithSlots(db *gorm.DB, userID uint64) ([]EntrySlot, error) {
	out := []EntrySlot{}
	err := db.Table("timetable_entries AS e").
		Select(`e.*, ts.start_time AS slot_start_time, ts.end_time AS slot_end_time, ts.label AS slot_label,
			ts.slot_type AS slot_type, ts.slot_number AS slot_number, s.subject_name, s.grade,
			COALESCE(n.end_time, '') AS double_end_time`).
		Joins("JOIN time_slots ts ON ts.id = e.time_slot_id").
		Joins("JOIN subjects s ON s.id = e.subject_id").
		Joins("LEFT JOIN time_slots n ON e.is_double_lesson AND n.schedule_id = ts.schedule_id AND n.sequence_order = ts.sequence_order + 1").
		Where("e.user_id = ?", userID).
		Order("e.day_of_week, ts.start_time, e.id").Scan(&out).Error
	return out, translate(err)
}

// NextLesson is the lesson that starts soonest after now (a lesson under way
// has started, so it is not next), and the instant it starts, in now's
// location (APP_TIMEZONE): later today, later this week, or after the
// weekend in the next week; a week with one lesson finds it again next week.
// ok is false when there are no entries.
func NextLesson(entries []EntrySlot, now time.Time) (next EntrySlot, startsAt time.Time, ok bool) {
	today := int(now.Weekday()+6)%7 + 1 // 1 = Monday … 7 = Sunday
	nowMin := now.Hour()*60 + now.Minute()
	best := -1
	for _, e := range entries {
		start, valid := ParseClock(e.SlotStartTime)
		if !valid {
			continue
		}
		days := (e.DayOfWeek - today + 7) % 7
		if days == 0 && start <= nowMin {
			days = 7
		}
		wait := days*24*60 + start
		if best < 0 || wait < best {
			best, next = wait, e
		}
	}
	if best < 0 {
		return EntrySlot{}, time.Time{}, false
	}
	y, m, d := now.Date()
	return next, time.Date(y, m, d, 0, 0, 0, 0, now.Location()).AddDate(0, 0, best/(24*60)).Add(time.Duration(best%(24*60)) * time.Minute), true
}

// DayName is the English name of day of week n (1 = Monday … 7 = Sunday).
func DayName(n int) string {
	return time.Weekday(n % 7).String()
}
