package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// UseItem is one template of a bulk-use answer.
type UseItem struct {
	ID        uint64  `json:"id"`
	Subject   string  `json:"subject,omitempty"`
	SubjectID *uint64 `json:"subject_id,omitempty"`
	Reason    string  `json:"reason,omitempty"`
}

// UseResults sorts the templates of a bulk use by outcome.
type UseResults struct {
	Success []UseItem `json:"success"`
	Skipped []UseItem `json:"skipped"`
	Failed  []UseItem `json:"failed"`
}

// Reasons of the bulk-use answer.
const (
	ReasonTemplateNotFound = "Template not found"
	ReasonAlreadyExists    = "Already exists"
)

var errSubjectExists = errors.New("subject exists")

// UseTemplates copies each of ids, a template the user may use (an active
// catalogue template or their own upload), into one of the user's subjects:
// subject → strands → sub-strands → lessons, each template in its own
// transaction. A subject of the same name and grade is skipped, not
// duplicated; the teacher's row lock (createSubjectTx) serialises concurrent
// requests, so a double click makes one subject. The plan's subject limit
// (LimitsFor, MAX_SUBJECTS_PER_USER as ceiling) fails the templates past it.
// Statements: three to read the templates, one for lesson settings, then a
// fixed number per template whatever its size.
func UseTemplates(db *gorm.DB, user *User, ids []uint64, ceiling int, now time.Time) (*UseResults, error) {
	out := &UseResults{Success: []UseItem{}, Skipped: []UseItem{}, Failed: []UseItem{}}
	seen := make(map[uint64]bool, len(ids))
	uniq := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	var found []CurriculumTemplate
	err := db.Where("id IN ? AND is_active AND owner_key IN ?", uniq, []uint64{0, user.ID}).Find(&found).Error
	if err := translate(err); err != nil {
		return nil, err
	}
	byID := make(map[uint64]*CurriculumTemplate, len(found))
	ptrs := make([]*CurriculumTemplate, len(found))
	for i := range found {
		byID[found[i].ID], ptrs[i] = &found[i], &found[i]
	}
	if err := LoadTemplateTrees(db, ptrs); err != nil {
		return nil, err
	}
	settings, err := lessonSettingsFor(db, user, found)
	if err != nil {
		return nil, err
	}
	allowed := SubjectAllowed(ceiling, now)
	for _, id := range uniq {
		t := byID[id]
		if t == nil {
			out.Failed = append(out.Failed, UseItem{ID: id, Reason: ReasonTemplateNotFound})
			continue
		}
		s := subjectFromTemplate(t, user.ID, settings[configKey(t.Subject, t.Grade)])
		if _, _, lessons := t.Totals(); lessons > MaxLessonsPerSubject {
			out.Failed = append(out.Failed, UseItem{ID: id, Subject: t.Subject,
				Reason: fmt.Sprintf("The template has %d lessons, more than the %d a subject can hold.", lessons, MaxLessonsPerSubject)})
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			return createSubjectTx(tx, s, func(tx *gorm.DB, owner *User, n int64) error {
				var existing int64
				err := tx.Model(&Subject{}).Where("user_id = ? AND subject_name = ? AND grade = ?", s.UserID, s.SubjectName, s.Grade).Count(&existing).Error
				if err := translate(err); err != nil {
					return err
				}
				if existing > 0 {
					return errSubjectExists
				}
				return allowed(tx, owner, n)
			})
		})
		switch {
		case err == nil:
			out.Success = append(out.Success, UseItem{ID: id, Subject: t.Subject, SubjectID: &s.ID})
		case errors.Is(err, errSubjectExists), errors.Is(err, ErrConflict):
			out.Skipped = append(out.Skipped, UseItem{ID: id, Subject: t.Subject, Reason: ReasonAlreadyExists})
		case errors.Is(err, ErrPlanLimit), errors.Is(err, ErrForbidden):
			out.Failed = append(out.Failed, UseItem{ID: id, Subject: t.Subject, Reason: err.Error()})
		default:
			return nil, err
		}
	}
	return out, nil
}

// subjectFromTemplate is t as a new subject of user: its numbers, names,
// order and lists, and numbered placeholder lessons for each sub-strand.
func subjectFromTemplate(t *CurriculumTemplate, userID uint64, set *LessonConfig) *Subject {
	s := &Subject{UserID: userID, TemplateID: &t.ID, SubjectName: t.Subject, Grade: t.Grade,
		LessonsPerWeek: DefaultLessonsPerWeek, SingleLessonDuration: DefaultSingleLessonDuration, DoubleLessonDuration: DefaultDoubleLessonDuration}
	if set != nil {
		s.LessonsPerWeek, s.DoubleLessonsPerWeek = set.LessonsPerWeek, set.DoubleLessonsPerWeek
		s.SingleLessonDuration, s.DoubleLessonDuration = set.SingleLessonDuration, set.DoubleLessonDuration
	}
	s.Strands = make([]Strand, len(t.Strands))
	for i, ts := range t.Strands {
		st := Strand{StrandCode: ts.StrandNumber, StrandName: ts.StrandName, SequenceOrder: ts.SequenceOrder,
			SubStrands: make([]SubStrand, len(ts.Substrands))}
		for j, tss := range ts.Substrands {
			ss := SubStrand{SubstrandCode: tss.SubstrandNumber, SubstrandName: tss.SubstrandName, LessonsCount: tss.NumberOfLessons,
				KeyInquiryQuestions:          strings.Join(tss.KeyInquiryQuestions, "\n"),
				SpecificLearningOutcomes:     tss.SpecificLearningOutcomes,
				SuggestedLearningExperiences: tss.SuggestedLearningExperiences,
				CoreCompetencies:             tss.CoreCompetencies, Values: tss.Values, PCIs: tss.PCIs,
				LinksToOtherSubjects: tss.LinksToOtherSubjects, SequenceOrder: tss.SequenceOrder,
				Lessons: make([]Lesson, tss.NumberOfLessons)}
			for k := range ss.Lessons {
				ss.Lessons[k] = Lesson{LessonNumber: k + 1, LessonTitle: fmt.Sprintf("Lesson %d: %s", k+1, tss.SubstrandName),
					DurationMinutes: s.SingleLessonDuration, SequenceOrder: k + 1}
			}
			st.SubStrands[j] = ss
		}
		s.Strands[i] = st
	}
	return s
}
