package models

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Strand is a row of strands, with its sub-strands when loaded as a tree.
type Strand struct {
	ID            uint64 `gorm:"primaryKey" json:"id"`
	SubjectID     uint64 `json:"subject_id"`
	StrandCode    string `json:"strand_code"`
	StrandName    string `json:"strand_name"`
	Description   string `json:"description"`
	SequenceOrder int    `json:"sequence_order"`

	SubStrands []SubStrand `gorm:"-" json:"sub_strands"`
}

// SubStrand is a row of sub_strands. Lessons is only filled on the way in
// (CreateSubject); reads list lessons with LessonsOf.
type SubStrand struct {
	ID                           uint64     `gorm:"primaryKey" json:"id"`
	StrandID                     uint64     `json:"strand_id"`
	SubstrandCode                string     `json:"substrand_code"`
	SubstrandName                string     `json:"substrand_name"`
	Description                  string     `json:"description"`
	LessonsCount                 int        `json:"lessons_count"`
	LearningOutcomes             string     `json:"learning_outcomes"`
	KeyInquiryQuestions          string     `json:"key_inquiry_questions"`
	SpecificLearningOutcomes     StringList `json:"specific_learning_outcomes"`
	SuggestedLearningExperiences StringList `json:"suggested_learning_experiences"`
	CoreCompetencies             StringList `json:"core_competencies"`
	Values                       StringList `gorm:"column:values" json:"values"`
	PCIs                         StringList `gorm:"column:pcis" json:"pcis"`
	LinksToOtherSubjects         StringList `json:"links_to_other_subjects"`
	SequenceOrder                int        `json:"sequence_order"`

	Lessons []Lesson `gorm:"-" json:"-"`
}

// Lesson is a row of lessons.
type Lesson struct {
	ID               uint64 `gorm:"primaryKey"`
	SubstrandID      uint64
	LessonNumber     int
	LessonTitle      string
	Description      string
	DurationMinutes  int
	LearningOutcomes string
	IsCompleted      bool
	CompletedAt      *time.Time
	SequenceOrder    int
}

// StringList is a JSON array of strings in a JSON column. It is never nil
// on the way out, so the API shows [] rather than null.
type StringList []string

// Scan reads a JSON array (NULL and empty are an empty list).
func (l *StringList) Scan(v any) error {
	if b, ok := v.([]byte); ok {
		if out, ok := plainStrings(b); ok {
			*l = out
			return nil
		}
	}
	out := StringList{}
	if err := scanJSON(v, &out, "StringList"); err != nil {
		return err
	}
	*l = out
	return nil
}

// plainStrings decodes a JSON array of strings that hold no escapes (what
// ordinary text is stored as) without encoding/json's reflection, which was
// a tenth of the allocations of GET /subjects/{id}. ok is false for anything
// else — an escape, a control character, invalid UTF-8, another type, bad
// syntax — and json.Unmarshal then reads it, so the result is always
// json.Unmarshal's (TestStringListScan and FuzzStringListScan hold it to that).
func plainStrings(b []byte) (StringList, bool) {
	if !utf8.Valid(b) {
		return nil, false
	}
	out := StringList{}
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return out, skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' || b[j] < 0x20 {
				return nil, false
			}
			j++
		}
		if j >= len(b) {
			return nil, false
		}
		out = append(out, string(b[i+1:j]))
		i = skipSpace(b, j+1)
		switch {
		case i >= len(b):
			return nil, false
		case b[i] == ']':
			return out, skipSpace(b, i+1) == len(b)
		case b[i] != ',':
			return nil, false
		}
		i = skipSpace(b, i+1)
	}
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanJSON decodes a JSON column's value into dst, leaving dst as it is for
// NULL and empty values.
func scanJSON(v any, dst any, typ string) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("%s: cannot scan %T", typ, v)
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, dst); err != nil {
			return fmt.Errorf("%s: %w", typ, err)
		}
	}
	return nil
}

// Value writes the list as a JSON array, [] for nil.
func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

// MarshalJSON shows a nil list as [].
func (l StringList) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(l))
}

// insertBatch bounds multi-row INSERTs well under the 65,535 placeholders a
// statement may have.
const insertBatch = 500

// insertTree inserts s.Strands and everything under them, one multi-row
// INSERT per level (batched), so the statements don't grow with the tree.
// Each level's ids are read back in id order rather than trusting GORM's
// LastInsertId arithmetic, which assumes auto_increment_increment = 1.
func insertTree(tx *gorm.DB, s *Subject) error {
	if len(s.Strands) == 0 {
		return nil
	}
	for i := range s.Strands {
		s.Strands[i].ID, s.Strands[i].SubjectID = 0, s.ID
	}
	if err := translate(tx.CreateInBatches(s.Strands, insertBatch).Error); err != nil {
		return err
	}
	var strandIDs []uint64
	if err := translate(tx.Model(&Strand{}).Where("subject_id = ?", s.ID).Order("id").Pluck("id", &strandIDs).Error); err != nil {
		return err
	}
	var subs []*SubStrand
	for i := range s.Strands {
		s.Strands[i].ID = strandIDs[i]
		for j := range s.Strands[i].SubStrands {
			ss := &s.Strands[i].SubStrands[j]
			ss.ID, ss.StrandID = 0, strandIDs[i]
			subs = append(subs, ss)
		}
	}
	if len(subs) == 0 {
		return nil
	}
	if err := translate(tx.CreateInBatches(subs, insertBatch).Error); err != nil {
		return err
	}
	var subIDs []uint64
	err := tx.Model(&SubStrand{}).Joins("JOIN strands ON strands.id = sub_strands.strand_id").
		Where("strands.subject_id = ?", s.ID).Order("sub_strands.id").Pluck("sub_strands.id", &subIDs).Error
	if err := translate(err); err != nil {
		return err
	}
	var lessons []*Lesson
	for i, ss := range subs {
		ss.ID = subIDs[i]
		for j := range ss.Lessons {
			l := &ss.Lessons[j]
			l.ID, l.SubstrandID, l.IsCompleted, l.CompletedAt = 0, ss.ID, false, nil
			lessons = append(lessons, l)
		}
	}
	if len(lessons) == 0 {
		return nil
	}
	return translate(tx.CreateInBatches(lessons, insertBatch).Error)
}

// LoadTree fills s.Strands and their sub-strands, ordered by sequence_order,
// in two queries whatever the tree's size.
func LoadTree(db *gorm.DB, s *Subject) error {
	strands, err := StrandsOf(db, s.ID)
	if err != nil {
		return err
	}
	s.Strands = strands
	return nil
}

// StrandsOf returns subject id's strands, each with its sub-strands (never
// nil), in two queries.
func StrandsOf(db *gorm.DB, subjectID uint64) ([]Strand, error) {
	strands := []Strand{}
	at := map[uint64]int{}
	err := eachRow(db, strandsOfSQL, []any{subjectID}, func(rows *sql.Rows) error {
		var st Strand
		if err := rows.Scan(strandDest(&st)...); err != nil {
			return err
		}
		st.SubStrands = []SubStrand{}
		at[st.ID] = len(strands)
		strands = append(strands, st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(db, subStrandsOfSQL, []any{subjectID}, func(rows *sql.Rows) error {
		var ss SubStrand
		if err := rows.Scan(subStrandDest(&ss)...); err != nil {
			return err
		}
		if i, ok := at[ss.StrandID]; ok {
			strands[i].SubStrands = append(strands[i].SubStrands, ss)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return strands, nil
}

var (
	strandsOfSQL    = "SELECT " + strandColumns + " FROM strands WHERE subject_id = ? ORDER BY sequence_order, id"
	subStrandsOfSQL = "SELECT " + subStrandColumns + " FROM sub_strands JOIN strands ON strands.id = sub_strands.strand_id" +
		" WHERE strands.subject_id = ? ORDER BY sub_strands.sequence_order, sub_strands.id"
)

// LessonRow is a lesson with the codes and names of its strand and sub-strand.
type LessonRow struct {
	Lesson
	StrandCode    string
	StrandName    string
	SubstrandCode string
	SubstrandName string
}

// MaxLessonsPerSubject bounds a subject's tree (CreateSubject's callers check
// it), and so every list of a subject's lessons.
const MaxLessonsPerSubject = 2000

// LessonsOf returns subject id's lessons in curriculum order (strand,
// sub-strand, lesson sequence) in one query.
func LessonsOf(db *gorm.DB, subjectID uint64) ([]LessonRow, error) {
	rows := []LessonRow{}
	err := eachRow(db, lessonsOfSQL, []any{subjectID, MaxLessonsPerSubject}, func(r *sql.Rows) error {
		var l LessonRow
		if err := r.Scan(append(lessonDest(&l.Lesson), &l.StrandCode, &l.StrandName, &l.SubstrandCode, &l.SubstrandName)...); err != nil {
			return err
		}
		rows = append(rows, l)
		return nil
	})
	return rows, err
}

var lessonsOfSQL = "SELECT " + lessonRowColumns + ", strands.strand_code, strands.strand_name, sub_strands.substrand_code, sub_strands.substrand_name" +
	" FROM lessons JOIN sub_strands ON sub_strands.id = lessons.substrand_id JOIN strands ON strands.id = sub_strands.strand_id" +
	" WHERE strands.subject_id = ? ORDER BY strands.sequence_order, strands.id, sub_strands.sequence_order, sub_strands.id," +
	" lessons.sequence_order, lessons.lesson_number, lessons.id LIMIT ?"
