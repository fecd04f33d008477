package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// catalogueDir is the 72 CBC files: TEST_CURRICULUM_DIR, else
// ../shared/teachtrack/curriculum beside the repository. The test fails
// without them: the catalogue's exact counts are what it proves.
func catalogueDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("TEST_CURRICULUM_DIR"); d != "" {
		return d
	}
	d, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "teachtrack", "curriculum"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d); err != nil {
		t.Fatalf("the CBC curriculum files are needed: %v (set TEST_CURRICULUM_DIR)", err)
	}
	return d
}

// catalogue is what the database holds: counts, and each template's
// id, version and update time (to see that a re-run touched nothing).
type catalogue struct {
	Templates, Strands, Substrands, Lessons int
	Rows                                    map[string]string
}

func readCatalogue(t *testing.T, conn *sql.DB) catalogue {
	t.Helper()
	var c catalogue
	err := conn.QueryRow(`SELECT (SELECT COUNT(*) FROM curriculum_templates), (SELECT COUNT(*) FROM template_strands),
		(SELECT COUNT(*) FROM template_substrands), (SELECT COALESCE(SUM(number_of_lessons), 0) FROM template_substrands)`).
		Scan(&c.Templates, &c.Strands, &c.Substrands, &c.Lessons)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(`SELECT CONCAT(grade, ' ', subject), CONCAT(id, ' v', version, ' ', updated_at, ' ', source) FROM curriculum_templates`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	c.Rows = map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		c.Rows[k] = v
	}
	return c
}

// `api curriculum import DIR` loads the whole catalogue exactly, and a
// second run changes nothing; a changed file updates only its template.
func TestCurriculumImportCommand(t *testing.T) {
	dir := catalogueDir(t)
	d := newDB(t)
	conn, err := d.AdminTo(0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	importDir := func(paths ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"api", "curriculum", "import"}, paths...), d.Getenv, nil, &out, io.Discard); err != nil {
			t.Fatalf("curriculum import: %v\n%s", err, out.String())
		}
		return out.String()
	}
	out := importDir(dir)
	if !strings.Contains(out, "72 files: 68 created, 0 updated, 0 unchanged, 4 duplicates, 0 failed; catalogue from these files: 68 templates, 415 strands, 1778 sub-strands, 8435 lessons") {
		t.Errorf("first import's summary:\n%s", out)
	}
	first := readCatalogue(t, conn)
	if diff := cmp.Diff([4]int{68, 415, 1778, 8435}, [4]int{first.Templates, first.Strands, first.Substrands, first.Lessons}); diff != "" {
		t.Errorf("templates, strands, sub-strands, lessons in the database (-want +got):\n%s", diff)
	}
	// Every grade is normalised, so the frontend's exact grade filter finds all.
	var odd int
	if err := conn.QueryRow(`SELECT COUNT(*) FROM curriculum_templates WHERE grade NOT REGEXP '^Grade [1-9]$' OR education_level = ''`).Scan(&odd); err != nil || odd != 0 {
		t.Errorf("%d templates with an unnormalised grade or no level (%v)", odd, err)
	}
	if v := first.Rows["Grade 9 Agriculture and Nutrition"]; v == "" {
		t.Errorf("GRADE 9 AGRICULTURE AND NUTRITION is not Grade 9 Agriculture and Nutrition: %v", first.Rows)
	}

	out = importDir(dir)
	if !strings.Contains(out, "0 created, 0 updated, 68 unchanged, 4 duplicates") {
		t.Errorf("second import's summary:\n%s", out)
	}
	if diff := cmp.Diff(first, readCatalogue(t, conn)); diff != "" {
		t.Errorf("a second import changed the catalogue (-first +second):\n%s", diff)
	}

	// One changed file: its template is updated in place (same id, v2).
	src, err := os.ReadFile(filepath.Join(dir, "G4", "grade-4-mathematics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	doc["strands"] = doc["strands"].([]any)[:1]
	changed, _ := json.Marshal(doc)
	tmp := filepath.Join(t.TempDir(), "grade-4-mathematics.json")
	if err := os.WriteFile(tmp, changed, 0o600); err != nil {
		t.Fatal(err)
	}
	out = importDir(tmp)
	if !strings.Contains(out, "0 created, 1 updated, 0 unchanged") {
		t.Errorf("changed file's summary:\n%s", out)
	}
	after := readCatalogue(t, conn)
	before, now := first.Rows["Grade 4 Mathematics"], after.Rows["Grade 4 Mathematics"]
	if strings.Fields(before)[0] != strings.Fields(now)[0] || !strings.Contains(now, " v2 ") {
		t.Errorf("Grade 4 Mathematics: %q, then %q; want the same id at v2", before, now)
	}
	if after.Templates != 68 || after.Strands >= first.Strands {
		t.Errorf("after the change: %d templates, %d strands (was %d)", after.Templates, after.Strands, first.Strands)
	}

	// Bad use: no path, a missing path.
	if err := run(context.Background(), []string{"api", "curriculum", "import"}, d.Getenv, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no path: %v", err)
	}
	if err := run(context.Background(), []string{"api", "curriculum", "import", filepath.Join(t.TempDir(), "absent")}, d.Getenv, nil, io.Discard, io.Discard); err == nil {
		t.Error("a missing path: no error")
	}
}

// CURRICULUM_DIR is imported at start, after the migrations; without it the
// API starts with an empty catalogue and a log line saying how to fill it.
func TestServeImportsCurriculumDir(t *testing.T) {
	d := newDB(t)
	d.Set("CURRICULUM_DIR", filepath.Join("..", "..", "internal", "curriculum", "testdata"))
	s := startServer(t, d)
	s.waitReady(t)
	res, err := http.Get("http://" + s.addr + "/api/v1/curriculum-templates?grade=Grade%209")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list []struct {
		Subject string `json:"subject"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil || len(list) != 1 || list[0].Subject != "Agriculture and Nutrition" {
		t.Errorf("catalogue after start: %+v %v", list, err)
	}
	if !strings.Contains(s.stdout.String(), "curriculum catalogue imported") || !strings.Contains(s.stdout.String(), "5 created") {
		t.Errorf("no import log line:\n%s", s.stdout)
	}

	empty := newDB(t)
	s2 := startServer(t, empty)
	s2.waitReady(t)
	if !strings.Contains(s2.stdout.String(), "api curriculum import DIR") {
		t.Errorf("no hint on how to fill the catalogue:\n%s", s2.stdout)
	}

	bad := newDB(t)
	bad.Set("CURRICULUM_DIR", filepath.Join(t.TempDir(), "absent"))
	if err := run(context.Background(), []string{"api", "serve"}, bad.Getenv, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "CURRICULUM_DIR") {
		t.Errorf("a CURRICULUM_DIR that doesn't exist: %v, want an error naming it", err)
	}
}
