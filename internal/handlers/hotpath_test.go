package handlers_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/teachtrack/api/internal/models"
)

// queriesByNode reads db_queries_total from /metrics as "node/kind" → count.
func (s *testServer) queriesByNode(t *testing.T) map[string]float64 {
	t.Helper()
	res := expect(t, s.do(t, anonymous, "GET", "/metrics", nil), http.StatusOK)
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(res.Body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "db_queries_total{") {
			continue
		}
		labels := line[len("db_queries_total{"):strings.IndexByte(line, '}')]
		var node, kind string
		for _, l := range strings.Split(labels, ",") {
			k, v, _ := strings.Cut(l, "=")
			v = strings.Trim(v, `"`)
			switch k {
			case "node":
				node = v
			case "kind":
				kind = v
			}
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[node+"/"+kind] += v
	}
	return out
}

// TestMixWritesReadLittleOnPrimary: the writes of the bench's default mix
// run on the primary only the SELECTs the write itself needs. The session
// check of a write request reads a replica that has the user's consistency
// point (it shows every sign-out, ban and role change that concerns them);
// ownership checks and the parts of the answer the write leaves alone read
// there too. What stays on the primary: create's owner count and the new
// row's timestamps, patch's re-read of the row it changed, complete's lesson
// under the subject lock and its recount. Before: 5, 5, 4, 4 and 2.
func TestMixWritesReadLittleOnPrimary(t *testing.T) {
	s := newTestServer(t)
	u := createUser(t, s, models.RoleTeacher, nil)
	keep := newSubject(t, s, u.caller, "Mathematics", "Grade 4", tree(2, 2, 3))
	lessons := lessonIDs(t, s, u.caller, keep.ID)
	s.waitReplicas(t)

	type op struct {
		name, method, path string
		body               any
		status             int
		maxPrimaryReads    float64
	}
	var created subjectJSON
	ops := []op{
		{"create subject", "POST", "/api/v1/subjects", map[string]any{"subject_name": "Science", "grade": "Grade 5", "strands": tree(2, 2, 3)}, http.StatusCreated, 4},
		{"patch subject", "PATCH", fmt.Sprintf("/api/v1/subjects/%d", keep.ID), map[string]any{"lessons_per_week": 7}, http.StatusOK, 1},
		{"complete lesson", "POST", fmt.Sprintf("/api/v1/lessons/%d/complete", lessons[0]), map[string]any{}, http.StatusOK, 2},
		{"uncomplete lesson", "POST", fmt.Sprintf("/api/v1/lessons/%d/uncomplete", lessons[0]), map[string]any{}, http.StatusOK, 2},
		{"delete subject", "DELETE", "", nil, http.StatusNoContent, 0},
	}
	for _, o := range ops {
		if o.name == "delete subject" {
			o.path = fmt.Sprintf("/api/v1/subjects/%d", created.ID)
		}
		before := s.queriesByNode(t)
		res := expect(t, s.do(t, u.caller, o.method, o.path, o.body), o.status)
		if o.name == "create subject" {
			res.decode(t, &created)
		}
		after := s.queriesByNode(t)
		var replicaReads float64
		for k, v := range after {
			if strings.HasPrefix(k, "replica") && strings.HasSuffix(k, "/read") {
				replicaReads += v - before[k]
			}
		}
		primaryReads, primaryWrites := after["primary/read"]-before["primary/read"], after["primary/write"]-before["primary/write"]
		t.Logf("%s: primary %v reads + %v writes, replicas %v reads", o.name, primaryReads, primaryWrites, replicaReads)
		if primaryReads > o.maxPrimaryReads {
			t.Errorf("%s ran %v SELECTs on the primary, want at most %v", o.name, primaryReads, o.maxPrimaryReads)
		}
	}
}
