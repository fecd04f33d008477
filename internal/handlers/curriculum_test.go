package handlers_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/teachtrack/api/internal/models"
)

// fixture is one of the curriculum package's own small test files.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "curriculum", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// upload is a multipart/form-data body with file and form fields.
func upload(t *testing.T, filename string, data []byte, fields ...string) rawBody {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return rawBody{ContentType: mw.FormDataContentType(), Data: b.String()}
}

type templateJSON struct {
	ID             uint64 `json:"id"`
	Subject        string `json:"subject"`
	Grade          string `json:"grade"`
	EducationLevel string `json:"education_level"`
	IsActive       bool   `json:"is_active"`
	IsPrivate      bool   `json:"is_private"`
	Version        int    `json:"version"`
}

type importJSON struct {
	CurriculumID uint64         `json:"curriculum_id"`
	Status       string         `json:"status"`
	Version      int            `json:"version"`
	Stats        map[string]int `json:"stats"`
}

// importFixture imports a fixture into the catalogue as admin.
func importFixture(t *testing.T, s *testServer, admin caller, name string, want int) importJSON {
	t.Helper()
	var out importJSON
	expect(t, s.do(t, admin, "POST", "/api/v1/admin/import-curriculum", upload(t, name, fixture(t, name))), want).decode(t, &out)
	return out
}

func listTemplates(t *testing.T, s *testServer, c caller, query string) []templateJSON {
	t.Helper()
	var out []templateJSON
	expect(t, s.do(t, c, "GET", "/api/v1/curriculum-templates"+query, nil), http.StatusOK).decode(t, &out)
	return out
}

type useJSON struct {
	Message string `json:"message"`
	Results struct {
		Success []struct {
			ID        uint64 `json:"id"`
			SubjectID uint64 `json:"subject_id"`
		} `json:"success"`
		Skipped []struct {
			ID     uint64 `json:"id"`
			Reason string `json:"reason"`
		} `json:"skipped"`
		Failed []struct {
			ID     uint64 `json:"id"`
			Reason string `json:"reason"`
		} `json:"failed"`
	} `json:"results"`
}

func bulkUse(t *testing.T, s *testServer, c caller, ids ...uint64) useJSON {
	t.Helper()
	var out useJSON
	expect(t, s.do(t, c, "POST", "/api/v1/curriculum-templates/bulk-use", map[string]any{"template_ids": ids}), http.StatusOK).decode(t, &out)
	return out
}

func counts(u useJSON) [3]int {
	return [3]int{len(u.Results.Success), len(u.Results.Skipped), len(u.Results.Failed)}
}

// The import page's file import, the public list and its filters, and
// idempotent, versioned re-imports.
func TestCurriculumImportAndList(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	teacher := createUser(t, s, models.RoleTeacher, nil)

	agri := importFixture(t, s, admin.caller, "number-dialect.json", http.StatusCreated)
	if diff := cmp.Diff(importJSON{agri.CurriculumID, "created", 1, map[string]int{"strands": 2, "substrands": 4, "lessons": 10}}, agri); diff != "" {
		t.Errorf("import (-want +got):\n%s", diff)
	}
	again := importFixture(t, s, admin.caller, "number-dialect.json", http.StatusOK)
	if again.Status != "unchanged" || again.Version != 1 || again.CurriculumID != agri.CurriculumID {
		t.Errorf("the same file again: %+v, want unchanged version 1", again)
	}
	changed := strings.Replace(string(fixture(t, "number-dialect.json")), `"Poultry", "suggestedLessons": 4`, `"Poultry", "suggestedLessons": 6`, 1)
	var upd importJSON
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/import-curriculum", upload(t, "number-dialect.json", []byte(changed))), http.StatusOK).decode(t, &upd)
	if upd.Status != "updated" || upd.Version != 2 || upd.CurriculumID != agri.CurriculumID || upd.Stats["lessons"] != 12 {
		t.Errorf("a changed file: %+v, want updated version 2 of the same template with 12 lessons", upd)
	}
	importFixture(t, s, admin.caller, "title-dialect.json", http.StatusCreated)
	importFixture(t, s, admin.caller, "snake-dialect.json", http.StatusCreated)

	// Public, normalised grades ("GRADE 9" is found as "Grade 9"), filters.
	all := listTemplates(t, s, anonymous, "")
	var names []string
	for _, tpl := range all {
		names = append(names, tpl.Grade+" "+tpl.Subject)
	}
	if diff := cmp.Diff([]string{"Grade 2 Religious Education (CRE)", "Grade 7 Mathematics", "Grade 9 Agriculture and Nutrition"}, names); diff != "" {
		t.Errorf("catalogue (-want +got):\n%s", diff)
	}
	if got := listTemplates(t, s, anonymous, "?grade=Grade%209"); len(got) != 1 || got[0].EducationLevel != "Junior Secondary" {
		t.Errorf("?grade=Grade 9: %+v", got)
	}
	if got := listTemplates(t, s, teacher.caller, "?education_level=Lower%20Primary"); len(got) != 1 || got[0].Grade != "Grade 2" {
		t.Errorf("?education_level=Lower Primary: %+v", got)
	}

	// Not a curriculum: 422 with the reason; PDF: 415; teachers: 403.
	res := expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/import-curriculum", upload(t, "x.json", []byte(`{"grade":"Grade 1","strands":[]}`))), http.StatusUnprocessableEntity)
	var p problem
	res.decode(t, &p)
	if !strings.Contains(p.Detail, "no subject") {
		t.Errorf("detail %q", p.Detail)
	}
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/import-curriculum", upload(t, "design.pdf", []byte("%PDF-1.7 ..."))), http.StatusUnsupportedMediaType)
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/import-curriculum", map[string]string{"file": "x"}), http.StatusUnsupportedMediaType)
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/admin/import-curriculum", upload(t, "a.json", fixture(t, "three-level.json"))), http.StatusForbidden)

	var cur struct {
		Curricula []templateJSON `json:"curricula"`
	}
	expect(t, s.do(t, admin.caller, "GET", "/api/v1/admin/curricula", nil), http.StatusOK).decode(t, &cur)
	if len(cur.Curricula) != 3 {
		t.Errorf("/admin/curricula: %d, want 3", len(cur.Curricula))
	}
}

// A template becomes the teacher's subject with its whole tree in order and
// a link back; the same again is skipped; unknown, inactive and another
// teacher's private templates fail; the existing /subjects API works on it.
func TestCurriculumBulkUse(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	other := createUser(t, s, models.RoleTeacher, nil)
	agri := importFixture(t, s, admin.caller, "number-dialect.json", http.StatusCreated).CurriculumID
	kis := importFixture(t, s, admin.caller, "three-level.json", http.StatusCreated).CurriculumID

	var private struct {
		Data struct {
			TemplateID uint64 `json:"template_id"`
		} `json:"data"`
	}
	expect(t, s.do(t, other.caller, "POST", "/api/v1/curriculum/upload", upload(t, "mine.json", fixture(t, "no-lessons.json"))), http.StatusCreated).decode(t, &private)
	expect(t, s.do(t, admin.caller, "DELETE", fmt.Sprintf("/api/v1/admin/curriculum-templates/%d", kis), nil), http.StatusOK)

	u := bulkUse(t, s, teacher.caller, agri, kis, private.Data.TemplateID, 999999)
	if diff := cmp.Diff([3]int{1, 0, 3}, counts(u)); diff != "" {
		t.Fatalf("success, skipped, failed (-want +got):\n%s\n%s", diff, u.Message)
	}
	for _, f := range u.Results.Failed {
		if f.Reason != "Template not found" {
			t.Errorf("failed %d: %q", f.ID, f.Reason)
		}
	}
	subjectID := u.Results.Success[0].SubjectID

	var sub struct {
		subjectJSON
		TemplateID *uint64 `json:"template_id"`
	}
	expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", subjectID), nil), http.StatusOK).decode(t, &sub)
	var order []string
	for _, st := range sub.Strands {
		for _, ss := range st.SubStrands {
			order = append(order, st.StrandCode+"/"+ss.SubstrandCode)
		}
	}
	if diff := cmp.Diff([]string{"1.0/1.1", "1.0/1.2", "1.0/1.10", "2.0/2.1"}, order); diff != "" {
		t.Errorf("tree order (-want +got):\n%s", diff)
	}
	if sub.TemplateID == nil || *sub.TemplateID != agri || sub.TotalLessons != 10 || sub.Grade != "Grade 9" || sub.SubjectName != "Agriculture and Nutrition" {
		t.Errorf("subject %+v, template_id %v", sub.subjectJSON, sub.TemplateID)
	}
	if ids := lessonIDs(t, s, teacher.caller, subjectID); len(ids) != 10 {
		t.Errorf("%d lessons, want 10", len(ids))
	} else {
		expect(t, s.do(t, teacher.caller, "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", ids[0]), nil), http.StatusOK)
	}

	if diff := cmp.Diff([3]int{0, 1, 0}, counts(bulkUse(t, s, teacher.caller, agri))); diff != "" {
		t.Errorf("the same template again (-want +got):\n%s", diff)
	}
	// Another teacher can't read the subject; the owner of the private
	// template can use it.
	expect(t, s.do(t, other.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", subjectID), nil), http.StatusNotFound)
	if diff := cmp.Diff([3]int{1, 0, 0}, counts(bulkUse(t, s, other.caller, private.Data.TemplateID))); diff != "" {
		t.Errorf("own private template (-want +got):\n%s", diff)
	}
	// A deactivated template stays readable in the admin editor, and the
	// subject made from it is unchanged by a re-import of its file.
	expect(t, s.do(t, admin.caller, "GET", fmt.Sprintf("/api/v1/admin/curriculum-templates/%d", kis), nil), http.StatusOK)
	changed := strings.Replace(string(fixture(t, "number-dialect.json")), `"Soil ten"`, `"Soil ten, revised"`, 1)
	expect(t, s.do(t, admin.caller, "POST", "/api/v1/admin/import-curriculum", upload(t, "n.json", []byte(changed))), http.StatusOK)
	raw := string(expect(t, s.do(t, teacher.caller, "GET", fmt.Sprintf("/api/v1/subjects/%d", subjectID), nil), http.StatusOK).Body)
	if strings.Contains(raw, "revised") || !strings.Contains(raw, `"lessons_completed":1`) {
		t.Errorf("the teacher's subject changed with its template: %s", raw)
	}

	// Bad bodies.
	expect(t, s.do(t, teacher.caller, "POST", "/api/v1/curriculum-templates/bulk-use", map[string]any{"template_ids": []int{}}), http.StatusUnprocessableEntity)
	expect(t, s.do(t, anonymous, "POST", "/api/v1/curriculum-templates/bulk-use", map[string]any{"template_ids": []int{1}}), http.StatusUnauthorized)
}

// The 7th subject on an individual plan fails with a reason naming the
// upgrade, and nothing of it is written.
func TestCurriculumBulkUsePlanLimit(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	for i := range 5 {
		newSubject(t, s, teacher.caller, fmt.Sprintf("Own %d", i), "Grade 1", nil)
	}
	a := importFixture(t, s, admin.caller, "number-dialect.json", http.StatusCreated).CurriculumID
	b := importFixture(t, s, admin.caller, "snake-dialect.json", http.StatusCreated).CurriculumID
	u := bulkUse(t, s, teacher.caller, a, b)
	if diff := cmp.Diff([3]int{1, 0, 1}, counts(u)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if r := u.Results.Failed[0].Reason; u.Results.Failed[0].ID != b || !strings.Contains(r, "allows 6 subjects") {
		t.Errorf("failed: %+v", u.Results.Failed)
	}
	var n int64
	s.primary(t).Model(&models.Subject{}).Where("user_id = ? AND subject_name = ?", teacher.ID, "Mathematics").Count(&n)
	if n != 0 {
		t.Errorf("the refused template left %d subjects", n)
	}
}

// Concurrent double clicks make one subject.
func TestCurriculumBulkUseConcurrent(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	id := importFixture(t, s, admin.caller, "snake-dialect.json", http.StatusCreated).CurriculumID
	const clicks = 6
	var wg sync.WaitGroup
	bodies := make([]string, clicks)
	for i := range clicks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body, err := s.send(teacher.caller, "POST", "/api/v1/curriculum-templates/bulk-use", map[string]any{"template_ids": []uint64{id}})
			if err != nil || status != http.StatusOK {
				t.Errorf("click %d: %d %s %v", i, status, body, err)
			}
			bodies[i] = string(body)
		}()
	}
	wg.Wait()
	added := 0
	for _, b := range bodies {
		if strings.Contains(b, `"success":[{`) {
			added++
		}
	}
	var n int64
	s.primary(t).Model(&models.Subject{}).Where("user_id = ?", teacher.ID).Count(&n)
	if n != 1 || added != 1 {
		t.Errorf("%d subjects, %d answers saying added; want 1 and 1", n, added)
	}
}

// Bulk use and the lists run a fixed number of statements whatever the
// size of the trees and the catalogue.
func TestCurriculumStatements(t *testing.T) {
	s := newTestServer(t)
	admin := createUser(t, s, models.RoleSuperAdmin, nil)
	teacher := createUser(t, s, models.RoleTeacher, nil)
	small := importFixture(t, s, admin.caller, "no-lessons.json", http.StatusCreated).CurriculumID // 2 lessons
	big := importFixture(t, s, admin.caller, "number-dialect.json", http.StatusCreated).CurriculumID
	count := func(method, path string, body any) float64 {
		before := s.statements(t)
		expect(t, s.do(t, teacher.caller, method, path, body), http.StatusOK)
		return s.statements(t) - before
	}
	listBefore := count("GET", "/api/v1/curriculum-templates", nil)
	n1 := count("POST", "/api/v1/curriculum-templates/bulk-use", map[string]any{"template_ids": []uint64{small}})
	n2 := count("POST", "/api/v1/curriculum-templates/bulk-use", map[string]any{"template_ids": []uint64{big}})
	if n1 != n2 || n1 == 0 {
		t.Errorf("bulk-use: %v statements for 2 lessons, %v for 10", n1, n2)
	}
	for _, f := range []string{"title-dialect.json", "snake-dialect.json", "three-level.json"} {
		importFixture(t, s, admin.caller, f, http.StatusCreated)
	}
	if after := count("GET", "/api/v1/curriculum-templates", nil); after != listBefore {
		t.Errorf("list: %v statements for 2 templates, %v for 5", listBefore, after)
	}
	adminCount := func(path string) float64 {
		before := s.statements(t)
		expect(t, s.do(t, admin.caller, "GET", path, nil), http.StatusOK)
		return s.statements(t) - before
	}
	if a, b := adminCount(fmt.Sprintf("/api/v1/admin/curriculum-templates/%d", small)), adminCount(fmt.Sprintf("/api/v1/admin/curriculum-templates/%d", big)); a != b {
		t.Errorf("template detail: %v statements for the small tree, %v for the big one", a, b)
	}
}
