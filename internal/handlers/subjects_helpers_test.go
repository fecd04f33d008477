package handlers_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// tree is a POST /subjects strands list of strands × subs sub-strands ×
// lessons lessons, named by position.
func tree(strands, subs, lessons int) []map[string]any {
	out := make([]map[string]any, strands)
	for i := range out {
		ss := make([]map[string]any, subs)
		for j := range ss {
			ls := make([]map[string]any, lessons)
			for k := range ls {
				ls[k] = map[string]any{"lesson_title": fmt.Sprintf("Lesson %d.%d.%d", i+1, j+1, k+1)}
			}
			ss[j] = map[string]any{"substrand_code": fmt.Sprintf("%d.%d", i+1, j+1), "substrand_name": fmt.Sprintf("Sub-strand %d.%d", i+1, j+1),
				"specific_learning_outcomes": []string{"outcome"}, "lessons": ls}
		}
		out[i] = map[string]any{"strand_code": strconv.Itoa(i + 1), "strand_name": fmt.Sprintf("Strand %d", i+1), "sub_strands": ss}
	}
	return out
}

// subjectJSON is the part of a subject the tests look at.
type subjectJSON struct {
	ID                 uint64  `json:"id"`
	UserID             uint64  `json:"user_id"`
	SubjectName        string  `json:"subject_name"`
	Grade              string  `json:"grade"`
	TotalLessons       int     `json:"total_lessons"`
	LessonsCompleted   int     `json:"lessons_completed"`
	ProgressPercentage float64 `json:"progress_percentage"`
	LessonsPerWeek     int     `json:"lessons_per_week"`
	Strands            []struct {
		ID            uint64 `json:"id"`
		StrandCode    string `json:"strand_code"`
		SequenceOrder int    `json:"sequence_order"`
		SubStrands    []struct {
			ID            uint64   `json:"id"`
			SubstrandCode string   `json:"substrand_code"`
			LessonsCount  int      `json:"lessons_count"`
			Values        []string `json:"values"`
		} `json:"sub_strands"`
	} `json:"strands"`
}

// newSubject creates a subject for c through POST /subjects.
func newSubject(t *testing.T, s *testServer, c caller, name, grade string, strands []map[string]any) subjectJSON {
	t.Helper()
	body := map[string]any{"subject_name": name, "grade": grade}
	if strands != nil {
		body["strands"] = strands
	}
	var sub subjectJSON
	expect(t, s.do(t, c, "POST", "/api/v1/subjects", body), http.StatusCreated).decode(t, &sub)
	return sub
}

// lessonIDs lists the subject's lesson ids in curriculum order.
func lessonIDs(t *testing.T, s *testServer, c caller, subjectID uint64) []uint64 {
	t.Helper()
	var body struct {
		Lessons []struct {
			ID uint64 `json:"id"`
		} `json:"lessons"`
	}
	expect(t, s.do(t, c, "GET", fmt.Sprintf("/api/v1/subjects/%d/lessons", subjectID), nil), http.StatusOK).decode(t, &body)
	ids := make([]uint64, len(body.Lessons))
	for i, l := range body.Lessons {
		ids[i] = l.ID
	}
	return ids
}

// send is a request that, unlike s.do, doesn't wait for the replicas after a
// write and reports failures as errors, so goroutines and read-your-writes
// tests can use it.
func (s *testServer) send(c caller, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Cookie != nil {
		req.AddCookie(c.Cookie)
		browserHeaders(req, c, s.URL)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return res.StatusCode, data, err
}

// statements is how many SQL statements requests have run so far, read from
// the db_queries_total counter on /metrics (the test server's own registry).
func (s *testServer) statements(t *testing.T) float64 {
	t.Helper()
	res := expect(t, s.do(t, anonymous, "GET", "/metrics", nil), http.StatusOK)
	sum := 0.0
	sc := bufio.NewScanner(bytes.NewReader(res.Body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "db_queries_total{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		sum += v
	}
	return sum
}
