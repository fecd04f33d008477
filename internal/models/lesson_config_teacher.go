package models

import "gorm.io/gorm"

// TeacherLessonConfigs returns the lesson settings that apply to a teacher
// (userID, of schoolID or none): their school's, each overridden by their
// own of the same subject and grade, by grade and subject; ownOut reports
// which of them are the teacher's own (by index). One statement. New subjects
// made from templates take the same settings (lessonSettingsFor).
func TeacherLessonConfigs(db *gorm.DB, userID uint64, schoolID *uint64) (out []LessonConfig, own []bool, err error) {
	keys := []string{ConfigOwner{UserID: userID}.key()}
	if schoolID != nil {
		keys = append(keys, ConfigOwner{SchoolID: schoolID}.key())
	}
	var rows []LessonConfig
	// The user's own rows ('u…') sort after the school's ('s…') within a
	// subject and grade, so the last of each wins.
	if err := translate(db.Where("owner_key IN ?", keys).Order("grade, subject_name, owner_key").Limit(2 * MaxLessonConfigs).Find(&rows).Error); err != nil {
		return nil, nil, err
	}
	out, own = []LessonConfig{}, []bool{}
	for _, r := range rows {
		isOwn := r.OwnerKey[0] == 'u'
		if n := len(out); n > 0 && configKey(out[n-1].SubjectName, out[n-1].Grade) == configKey(r.SubjectName, r.Grade) {
			out[n-1], own[n-1] = r, isOwn
			continue
		}
		out, own = append(out, r), append(own, isOwn)
	}
	return out, own, nil
}
