package models

import (
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Record is a row of records_of_work: what a teacher actually taught, week
// by week, usually made from a scheme of work.
type Record struct {
	ID           uint64    `gorm:"primaryKey" json:"id"`
	UserID       uint64    `json:"user_id"`
	SchemeID     *uint64   `json:"scheme_id"`
	SubjectID    *uint64   `json:"subject_id"`
	SchoolName   string    `json:"school_name"`
	TeacherName  string    `json:"teacher_name"`
	LearningArea string    `json:"learning_area"`
	Grade        string    `json:"grade"`
	Term         string    `json:"term"`
	Year         int       `json:"year"`
	IsArchived   bool      `json:"is_archived"`
	ShareToken   *string   `json:"share_token"`
	Notes        string    `json:"notes"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	Entries []RecordEntry `gorm:"-" json:"entries,omitempty"`
}

// TableName is the original backend's table name.
func (Record) TableName() string { return "records_of_work" }

// RecordEntry is a row of record_of_work_entries: one week of a record.
type RecordEntry struct {
	ID               uint64     `gorm:"primaryKey" json:"id"`
	RecordID         uint64     `json:"record_id"`
	WeekNumber       int        `json:"week_number"`
	Strand           string     `json:"strand"`
	Topic            string     `json:"topic"`
	LearningOutcomeA string     `gorm:"column:learning_outcome_a" json:"learning_outcome_a"`
	LearningOutcomeB string     `gorm:"column:learning_outcome_b" json:"learning_outcome_b"`
	LearningOutcomeC string     `gorm:"column:learning_outcome_c" json:"learning_outcome_c"`
	LearningOutcomeD string     `gorm:"column:learning_outcome_d" json:"learning_outcome_d"`
	Reflection       string     `json:"reflection"`
	Signature        string     `json:"signature"`
	DateTaught       *time.Time `json:"date_taught"`
	Status           string     `json:"status"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// TableName names the entries' table.
func (RecordEntry) TableName() string { return "record_of_work_entries" }

// EntryStatuses are the statuses an entry may have.
var EntryStatuses = []string{"pending", "taught", "postponed"}

var (
	// ErrNoSuchRecord is what anyone who may not see a record is told.
	ErrNoSuchRecord = Sentence(ErrNotFound, "There is no such record of work.")
	// ErrNoSuchEntry is the same for one entry of a record.
	ErrNoSuchEntry = Sentence(ErrNotFound, "There is no such entry in this record of work.")
	// ErrNoRecordForScheme answers mark-taught before the record exists.
	ErrNoRecordForScheme = Sentence(ErrNotFound, "There is no record of work for this scheme yet: create it from the scheme first.")
)

// OwnedRecord is a record with its teacher's school.
type OwnedRecord struct {
	Record
	OwnerSchoolID *uint64 `json:"-"`
}

// CanRead: the teacher, and a SCHOOL_ADMIN of the teacher's school.
func (r *OwnedRecord) CanRead(v Viewer) bool { return DocumentReadable(v, r.UserID, r.OwnerSchoolID) }

// CanWrite: only the teacher.
func (r *OwnedRecord) CanWrite(v Viewer) bool { return r.UserID == v.UserID }

// RecordByID returns record id (without entries) and its teacher's school.
func RecordByID(db *gorm.DB, id uint64) (*OwnedRecord, error) {
	var r OwnedRecord
	err := db.Table("records_of_work").Select("records_of_work.*, users.school_id AS owner_school_id").
		Joins("JOIN users ON users.id = records_of_work.user_id").
		Where("records_of_work.id = ?", id).Take(&r).Error
	if err := translate(err); err != nil {
		return nil, notFound(err, ErrNoSuchRecord)
	}
	return &r, nil
}

// RecordByShareToken returns the shared record whose token is token.
func RecordByShareToken(db *gorm.DB, token string) (*Record, error) {
	var r Record
	if err := translate(db.Where("share_token = ?", token).Take(&r).Error); err != nil {
		return nil, notFound(err, ErrNoSuchRecord)
	}
	return &r, nil
}

// LoadEntries fills r.Entries, by week, in one query.
func LoadEntries(db *gorm.DB, r *Record) error {
	entries := []RecordEntry{}
	err := db.Where("record_id = ?", r.ID).Order("week_number, id").Find(&entries).Error
	r.Entries = entries
	return translate(err)
}

// ListRecords returns the records v may read, archived or not, newest first.
func ListRecords(db *gorm.DB, v Viewer, archived bool) ([]Record, error) {
	out := []Record{}
	err := DocumentFilter(db.Model(&Record{}), "records_of_work", v).Where("is_archived = ?", archived).
		Order("created_at DESC, id DESC").Limit(MaxDocumentsListed).Find(&out).Error
	return out, translate(err)
}

// DeleteRecord removes record id and its entries.
func DeleteRecord(db *gorm.DB, id uint64) error {
	res := db.Delete(&Record{}, id)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return ErrNoSuchRecord
	}
	return nil
}

// EntryForWeek is the entry a week of scheme lessons makes: distinct strands,
// sub-strands and outcomes, in lesson order, joined with "; ".
func EntryForWeek(week int, lessons []SchemeLesson) RecordEntry {
	var strands, topics, outcomes distinct
	for _, l := range lessons {
		strands.add(l.Strand)
		topics.add(l.SubStrand)
		outcomes.add(l.SpecificLearningOutcomes)
	}
	return RecordEntry{WeekNumber: week, Strand: strands.String(), Topic: topics.String(),
		LearningOutcomeA: outcomes.String(), Status: "pending"}
}

type distinct struct {
	seen  map[string]bool
	items []string
}

func (d *distinct) add(s string) {
	if s = strings.TrimSpace(s); s == "" || d.seen[s] {
		return
	}
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	d.seen[s] = true
	d.items = append(d.items, s)
}

func (d *distinct) String() string { return strings.Join(d.items, "; ") }

// RecordFromScheme returns userID's record of work for scheme s (loaded with
// its weeks), creating it with one entry per week when there is none; created
// reports which. The scheme row is locked so two clicks make one record.
// refuseNew, when not nil, is returned instead of creating one (the caller's
// plan doesn't generate documents now): a record already made is still found.
func RecordFromScheme(db *gorm.DB, s *Scheme, userID uint64, refuseNew error) (rec *Record, created bool, err error) {
	err = db.Transaction(func(tx *gorm.DB) error {
		var lock Scheme
		if err := translate(tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Select("id").Take(&lock, s.ID).Error); err != nil {
			return notFound(err, ErrNoSuchScheme)
		}
		var found []Record
		if err := translate(tx.Where("user_id = ? AND scheme_id = ?", userID, s.ID).Order("is_archived, id DESC").Limit(1).Find(&found).Error); err != nil {
			return err
		}
		if len(found) == 1 {
			rec = &found[0]
			return nil
		}
		if refuseNew != nil {
			return refuseNew
		}
		sid := s.ID
		rec = &Record{UserID: userID, SchemeID: &sid, SubjectID: s.SubjectID, SchoolName: s.School, TeacherName: s.TeacherName,
			LearningArea: s.Subject, Grade: s.Grade, Term: s.Term, Year: s.Year}
		if userID != s.UserID {
			rec.SubjectID = nil
		}
		if err := translate(tx.Omit("Entries").Create(rec).Error); err != nil {
			return err
		}
		created = true
		entries := make([]RecordEntry, 0, len(s.Weeks))
		for _, w := range s.Weeks {
			e := EntryForWeek(w.WeekNumber, w.Lessons)
			e.RecordID = rec.ID
			entries = append(entries, e)
		}
		if len(entries) == 0 {
			return nil
		}
		return translate(tx.Omit("CreatedAt", "UpdatedAt").CreateInBatches(entries, insertBatch).Error)
	})
	return rec, created, err
}

// TaughtLesson is a scheme lesson with what mark-taught needs to find its entry.
type TaughtLesson struct {
	SchemeLesson
	WeekNumber    int
	OwnerID       uint64
	OwnerSchoolID *uint64
}

// TaughtLessonByID returns scheme lesson id with its week number and owner.
func TaughtLessonByID(db *gorm.DB, id uint64) (*TaughtLesson, error) {
	var l TaughtLesson
	err := db.Table("scheme_lessons").
		Select("scheme_lessons.*, scheme_weeks.week_number, schemes_of_work.user_id AS owner_id, users.school_id AS owner_school_id").
		Joins("JOIN scheme_weeks ON scheme_weeks.id = scheme_lessons.week_id").
		Joins("JOIN schemes_of_work ON schemes_of_work.id = scheme_lessons.scheme_id").
		Joins("JOIN users ON users.id = schemes_of_work.user_id").
		Where("scheme_lessons.id = ?", id).Take(&l).Error
	if err := translate(err); err != nil {
		return nil, notFound(err, ErrNoSuchSchemeLesson)
	}
	return &l, nil
}

// MarkTaught marks the week of lesson l taught in userID's record of work for
// l's scheme, creating the week's entry when the record has none. It is
// idempotent: marking again keeps the first date taught.
func MarkTaught(db *gorm.DB, l *TaughtLesson, userID uint64, now time.Time) (*RecordEntry, error) {
	var rec []Record
	err := db.Select("id").Where("user_id = ? AND scheme_id = ?", userID, l.SchemeID).Order("is_archived, id DESC").Limit(1).Find(&rec).Error
	if err := translate(err); err != nil {
		return nil, err
	}
	if len(rec) == 0 {
		return nil, ErrNoRecordForScheme
	}
	e := EntryForWeek(l.WeekNumber, []SchemeLesson{l.SchemeLesson})
	e.RecordID, e.Status, e.DateTaught = rec[0].ID, "taught", &now
	// One statement, keyed on (record_id, week_number): concurrent clicks
	// can't make two entries for a week.
	err = db.Omit("CreatedAt", "UpdatedAt").Clauses(clause.OnConflict{DoUpdates: clause.Set{
		{Column: clause.Column{Name: "status"}, Value: "taught"},
		{Column: clause.Column{Name: "date_taught"}, Value: gorm.Expr("COALESCE(date_taught, VALUES(date_taught))")},
	}}).Create(&e).Error
	if err := translate(err); err != nil {
		return nil, err
	}
	var out RecordEntry
	if err := translate(db.Where("record_id = ? AND week_number = ?", rec[0].ID, l.WeekNumber).Take(&out).Error); err != nil {
		return nil, err
	}
	return &out, nil
}

// EntryOf returns entry id of record recordID.
func EntryOf(db *gorm.DB, recordID, id uint64) (*RecordEntry, error) {
	var e RecordEntry
	if err := translate(db.Where("id = ? AND record_id = ?", id, recordID).Take(&e).Error); err != nil {
		return nil, notFound(err, ErrNoSuchEntry)
	}
	return &e, nil
}

// UpdateEntry applies changes (by column) to entry e.
func UpdateEntry(db *gorm.DB, e *RecordEntry, changes map[string]any) error {
	if len(changes) == 0 {
		return nil
	}
	return translate(db.Model(&RecordEntry{}).Where("id = ?", e.ID).Updates(changes).Error)
}
