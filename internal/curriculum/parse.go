// Package curriculum reads CBC curriculum design files (the JSON format of
// TeachTrack's catalogue, in all its dialects) into templates, and imports
// files and directories of them into the catalogue.
package curriculum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/teachtrack/api/internal/models"
)

// Limits on one file, so an upload can't make a template no subject can hold.
const (
	MaxFileBytes          = 10 << 20
	maxStrands            = 100
	maxSubstrands         = 1000
	maxLessonsPerSub      = 500
	maxNameLen            = 255
	maxCodeLen            = 20
	maxSubjectLen         = 150
	maxGradeLen           = 10
	defaultLessonsPerSubs = 1 // files without lesson counts (G1–G3 creative activities)
)

// The spellings of each field across the files' dialects, first match wins.
// A spelling not consumed stays in the row's extra object, so nothing in a
// file is dropped.
var (
	subjectKeys   = []string{"subject", "subjectName", "subject_name", "learningArea", "learning_area"}
	gradeKeys     = []string{"grade"}
	levelKeys     = []string{"educationLevel", "education_level"}
	strandsKeys   = []string{"strands"}
	strandNumKeys = []string{"strandNumber", "strandId", "strand_number", "strand_id"}
	strandNameKey = []string{"strandName", "strandTitle", "strand_name", "strand_title"}
	subsKeys      = []string{"subStrands", "sub_strands", "substrands"}
	subNumKeys    = []string{"subStrandNumber", "subStrandId", "sub_strand_number", "sub_strand_id", "substrand_number"}
	subNameKeys   = []string{"subStrandName", "subStrandTitle", "sub_strand_name", "sub_strand_title", "substrand_name"}
	subSubKeys    = []string{"subSubStrands", "sub_sub_strands"}
	subSubNumKeys = []string{"subSubStrandNumber", "sub_sub_strand_number"}
	subSubNameKey = []string{"subSubStrandName", "sub_sub_strand_name"}
	lessonKeys    = []string{"numberOfLessons", "number_of_lessons", "suggestedLessons", "suggested_lessons"}
	sloKeys       = []string{"specificLearningOutcomes", "specific_learning_outcomes"}
	sleKeys       = []string{"suggestedLearningExperiences", "suggested_learning_experiences"}
	kiqKeys       = []string{"keyInquiryQuestions", "key_inquiry_questions"}
	ccKeys        = []string{"coreCompetencies", "core_competencies"}
	valueKeys     = []string{"values"}
	pciKeys       = []string{"pcis", "pertinentAndContemporaryIssues", "pertinent_and_contemporary_issues"}
	linkKeys      = []string{"linkToOtherSubjects", "linksToOtherSubjects", "link_to_other_subjects", "links_to_other_subjects"}
)

// object is one JSON object of a file, its fields taken out as they are read.
type object map[string]json.RawMessage

// take removes and returns the first present spelling of a field.
func (o object) take(keys []string) (json.RawMessage, bool) {
	for _, k := range keys {
		if v, ok := o[k]; ok && !isNull(v) {
			delete(o, k)
			return v, true
		}
	}
	return nil, false
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// text reads a string, or a number as written ("1.10" stays "1.10").
func (o object) text(keys []string) (string, bool, error) {
	v, ok := o.take(keys)
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return strings.Join(strings.Fields(s), " "), true, nil
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		return n.String(), true, nil
	}
	return "", true, fmt.Errorf("%s is neither text nor a number", keys[0])
}

// list reads an array of strings (a single string is a list of one).
func (o object) list(keys []string) (models.StringList, error) {
	v, ok := o.take(keys)
	if !ok {
		return models.StringList{}, nil
	}
	var one string
	if err := json.Unmarshal(v, &one); err == nil {
		if one = strings.TrimSpace(one); one == "" {
			return models.StringList{}, nil
		}
		return models.StringList{one}, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil {
		return nil, fmt.Errorf("%s is not a list", keys[0])
	}
	out := make(models.StringList, 0, len(raw))
	for _, r := range raw {
		var s string
		if err := json.Unmarshal(r, &s); err != nil {
			// A list item that isn't text (none so far): keep it as JSON.
			s = string(r)
		}
		out = append(out, s)
	}
	return out, nil
}

// extra is what is left of o once its columns were read.
func (o object) extra() models.JSONObject {
	out := make(models.JSONObject, len(o))
	for k, v := range o {
		out[k] = v
	}
	return out
}

func decodeObject(v json.RawMessage, where string) (object, error) {
	var o object
	if err := json.Unmarshal(v, &o); err != nil || o == nil {
		return nil, fmt.Errorf("%s is not a JSON object", where)
	}
	return o, nil
}

func decodeArray(v json.RawMessage, where string) ([]json.RawMessage, error) {
	var a []json.RawMessage
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, fmt.Errorf("%s is not a list", where)
	}
	return a, nil
}

// Parse reads one curriculum file into a template with its tree (no owner,
// source or hash). The error says, for a person, where the file is wrong.
func Parse(data []byte) (*models.CurriculumTemplate, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("the file is larger than %d MB", MaxFileBytes>>20)
	}
	top, err := decodeObject(data, "the file")
	if err != nil {
		return nil, fmt.Errorf("the file is not a curriculum: it must be a JSON object with subject, grade and strands")
	}
	t := &models.CurriculumTemplate{IsActive: true}
	extra := models.JSONObject{}

	subjectRaw, _ := top[firstKey(top, subjectKeys)]
	subject, ok, err := top.text(subjectKeys)
	if err != nil || !ok || subject == "" {
		return nil, fmt.Errorf("the file has no subject (a \"subject\" or \"subjectName\" field)")
	}
	t.Subject = normalizeSubject(subject)
	if t.Subject != subject {
		extra["subject"] = subjectRaw // the file's own spelling
	}
	gradeRaw, _ := top[firstKey(top, gradeKeys)]
	grade, ok, err := top.text(gradeKeys)
	if err != nil || !ok || grade == "" {
		return nil, fmt.Errorf("the file has no grade (a \"grade\" field such as \"Grade 4\" or 4)")
	}
	t.Grade = models.NormalizeGrade(grade)
	if t.Grade != grade || !bytes.HasPrefix(bytes.TrimSpace(gradeRaw), []byte(`"`)) {
		extra["grade"] = gradeRaw
	}
	if len(t.Subject) > maxSubjectLen || len(t.Grade) > maxGradeLen {
		return nil, fmt.Errorf("the subject (at most %d characters) or grade (at most %d, e.g. \"Grade 4\") is too long", maxSubjectLen, maxGradeLen)
	}
	// The level follows from the grade, so the catalogue's filters agree;
	// the file's own wording is kept in extra.
	levelRaw, hasLevel := top.take(levelKeys)
	if hasLevel {
		extra["educationLevel"] = levelRaw
	}
	t.EducationLevel = models.EducationLevelOf(t.Grade)
	if t.EducationLevel == "" && hasLevel {
		var s string
		_ = json.Unmarshal(levelRaw, &s)
		t.EducationLevel = strings.TrimSpace(s)
	}

	strandsRaw, ok := top.take(strandsKeys)
	if !ok {
		return nil, fmt.Errorf("the file has no \"strands\" list")
	}
	arr, err := decodeArray(strandsRaw, "strands")
	if err != nil {
		return nil, err
	}
	if len(arr) > maxStrands {
		return nil, fmt.Errorf("the file has %d strands, more than %d", len(arr), maxStrands)
	}
	nsubs := 0
	for i, raw := range arr {
		s, err := parseStrand(raw, i)
		if err != nil {
			return nil, err
		}
		nsubs += len(s.Substrands)
		if nsubs > maxSubstrands {
			return nil, fmt.Errorf("the file has more than %d sub-strands", maxSubstrands)
		}
		t.Strands = append(t.Strands, s)
	}
	if _, _, lessons := t.Totals(); lessons > models.MaxLessonsPerSubject {
		return nil, fmt.Errorf("the file has %d lessons, more than the %d a subject can hold", lessons, models.MaxLessonsPerSubject)
	}
	orderStrands(t.Strands)
	for k, v := range top {
		extra[k] = v
	}
	t.Extra = extra
	return t, nil
}

func firstKey(o object, keys []string) string {
	for _, k := range keys {
		if v, ok := o[k]; ok && !isNull(v) {
			return k
		}
	}
	return ""
}

func parseStrand(raw json.RawMessage, i int) (models.TemplateStrand, error) {
	where := fmt.Sprintf("strand %d", i+1)
	o, err := decodeObject(raw, where)
	if err != nil {
		return models.TemplateStrand{}, err
	}
	s := models.TemplateStrand{Substrands: []models.TemplateSubstrand{}}
	if s.StrandNumber, _, err = o.text(strandNumKeys); err != nil {
		return s, fmt.Errorf("%s: %v", where, err)
	}
	if s.StrandName, _, err = o.text(strandNameKey); err != nil {
		return s, fmt.Errorf("%s: %v", where, err)
	}
	if s.StrandNumber == "" {
		s.StrandNumber = strconv.Itoa(i+1) + ".0"
	}
	if s.StrandName == "" {
		return s, fmt.Errorf("%s (%s) has no name", where, s.StrandNumber)
	}
	if err := checkLens(where, s.StrandNumber, s.StrandName); err != nil {
		return s, err
	}
	where = fmt.Sprintf("strand %s", s.StrandNumber)
	if subsRaw, ok := o.take(subsKeys); ok {
		arr, err := decodeArray(subsRaw, where+" sub-strands")
		if err != nil {
			return s, err
		}
		for j, r := range arr {
			rows, err := parseSubstrand(r, where, j)
			if err != nil {
				return s, err
			}
			s.Substrands = append(s.Substrands, rows...)
		}
	}
	s.Extra = o.extra()
	return s, nil
}

// parseSubstrand reads one sub-strand. In the 3-level files (Grade 8 and 9
// Kiswahili) a sub-strand only groups sub-sub-strands: each of those becomes
// a row, with its parent's number, name and other fields kept in extra.
func parseSubstrand(raw json.RawMessage, strandWhere string, j int) ([]models.TemplateSubstrand, error) {
	where := fmt.Sprintf("%s, sub-strand %d", strandWhere, j+1)
	o, err := decodeObject(raw, where)
	if err != nil {
		return nil, err
	}
	if subsubRaw, ok := o.take(subSubKeys); ok {
		arr, err := decodeArray(subsubRaw, where+" sub-sub-strands")
		if err != nil {
			return nil, err
		}
		parent, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		rows := make([]models.TemplateSubstrand, 0, len(arr))
		for k, r := range arr {
			so, err := decodeObject(r, fmt.Sprintf("%s, sub-sub-strand %d", where, k+1))
			if err != nil {
				return nil, err
			}
			row, err := substrandRow(so, subSubNumKeys, subSubNameKey, fmt.Sprintf("%s, sub-sub-strand %d", where, k+1))
			if err != nil {
				return nil, err
			}
			row.Extra["parentSubStrand"] = parent
			rows = append(rows, row)
		}
		return rows, nil
	}
	row, err := substrandRow(o, subNumKeys, subNameKeys, where)
	if err != nil {
		return nil, err
	}
	return []models.TemplateSubstrand{row}, nil
}

func substrandRow(o object, numKeys, nameKeys []string, where string) (models.TemplateSubstrand, error) {
	var ss models.TemplateSubstrand
	var err error
	if ss.SubstrandNumber, _, err = o.text(numKeys); err != nil {
		return ss, fmt.Errorf("%s: %v", where, err)
	}
	if ss.SubstrandName, _, err = o.text(nameKeys); err != nil {
		return ss, fmt.Errorf("%s: %v", where, err)
	}
	if ss.SubstrandName == "" {
		return ss, fmt.Errorf("%s has no name", where)
	}
	if err := checkLens(where, ss.SubstrandNumber, ss.SubstrandName); err != nil {
		return ss, err
	}
	ss.NumberOfLessons = defaultLessonsPerSubs
	if v, ok := o.take(lessonKeys); ok {
		n, err := lessonCount(v)
		if err != nil || n < 0 || n > maxLessonsPerSub {
			return ss, fmt.Errorf("%s: the number of lessons must be a whole number from 0 to %d", where, maxLessonsPerSub)
		}
		ss.NumberOfLessons = n
	}
	for _, f := range []struct {
		dst  *models.StringList
		keys []string
	}{
		{&ss.SpecificLearningOutcomes, sloKeys}, {&ss.SuggestedLearningExperiences, sleKeys},
		{&ss.KeyInquiryQuestions, kiqKeys}, {&ss.CoreCompetencies, ccKeys}, {&ss.Values, valueKeys},
		{&ss.PCIs, pciKeys}, {&ss.LinksToOtherSubjects, linkKeys},
	} {
		if *f.dst, err = o.list(f.keys); err != nil {
			return ss, fmt.Errorf("%s: %v", where, err)
		}
	}
	ss.Extra = o.extra()
	return ss, nil
}

func lessonCount(v json.RawMessage) (int, error) {
	var n int
	if err := json.Unmarshal(v, &n); err == nil {
		return n, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(s))
}

func checkLens(where, code, name string) error {
	if len(code) > maxCodeLen {
		return fmt.Errorf("%s: the number %q is longer than %d characters", where, code, maxCodeLen)
	}
	if len([]rune(name)) > maxNameLen {
		return fmt.Errorf("%s: the name is longer than %d characters", where, maxNameLen)
	}
	return nil
}

// orderStrands sorts strands, and each strand's sub-strands, by their
// numbers taken as numbers ("1.2" before "1.10"), keeping the file's order
// among equal numbers or when a number doesn't parse; then numbers them 1…n.
func orderStrands(strands []models.TemplateStrand) {
	sortByCode(strands, func(s models.TemplateStrand) string { return s.StrandNumber })
	for i := range strands {
		strands[i].SequenceOrder = i + 1
		subs := strands[i].Substrands
		sortByCode(subs, func(s models.TemplateSubstrand) string { return s.SubstrandNumber })
		for k := range subs {
			subs[k].SequenceOrder = k + 1
		}
	}
}

// sortByCode sorts rows stably by the numeric value of code(row), unless a
// code isn't a number: then the file's order stands.
func sortByCode[T any](rows []T, code func(T) string) {
	for _, r := range rows {
		if _, ok := models.CodeKey(code(r)); !ok {
			return
		}
	}
	key := func(r T) []int { k, _ := models.CodeKey(code(r)); return k }
	sort.SliceStable(rows, func(i, j int) bool { return models.CompareCodes(key(rows[i]), key(rows[j])) < 0 })
}

// normalizeSubject trims a subject name and turns an all-capitals one
// ("AGRICULTURE AND NUTRITION") into the catalogue's title case.
func normalizeSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if strings.IndexFunc(s, unicode.IsLower) >= 0 {
		return s
	}
	small := map[string]bool{"and": true, "of": true, "the": true, "in": true, "for": true, "to": true}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		if i > 0 && small[w] {
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

// Rename sets a file's subject and grade (each only when not empty), for an
// upload whose form names them; the file's own spellings stay in its other
// fields (e.g. subjectName), so nothing is lost.
func Rename(data []byte, subject, grade string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		return nil, models.Invalid("file", "the file is not a curriculum: it must be a JSON object with subject, grade and strands")
	}
	for k, v := range map[string]string{"subject": subject, "grade": grade} {
		if v == "" {
			continue
		}
		if old, ok := top[k]; ok {
			top["original_"+k] = old
		}
		b, _ := json.Marshal(v)
		top[k] = b
	}
	return json.Marshal(top)
}
