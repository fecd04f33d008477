package handlers_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/teachtrack/api/internal/models"
)

func TestAdminReplication(t *testing.T) {
	s := newTestServer(t)
	super := createUser(t, s, models.RoleSuperAdmin, nil)
	school := createSchool(t, s, "Replication School")
	schoolAdmin := createUser(t, s, models.RoleSchoolAdmin, school)
	teacher := createUser(t, s, models.RoleTeacher, nil)

	for _, tc := range []struct {
		name string
		who  caller
		want int
	}{
		{"anonymous", anonymous, http.StatusUnauthorized},
		{"teacher", teacher.caller, http.StatusForbidden},
		{"school admin", schoolAdmin.caller, http.StatusForbidden},
		{"super admin", super.caller, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, s.do(t, tc.who, "GET", "/api/v1/admin/replication", nil), tc.want)
		})
	}

	var body struct {
		ReadYourWrites string `json:"read_your_writes"`
		Nodes          []struct {
			Name, Role, GTIDPosition string
			Healthy                  bool
			Reads, Writes            int64
		} `json:"nodes"`
	}
	expect(t, s.do(t, super.caller, "GET", "/api/v1/admin/replication", nil), http.StatusOK).decode(t, &body)
	if body.ReadYourWrites != "causal" || len(body.Nodes) != 3 {
		t.Fatalf("got mode %q and %d nodes, want causal and 3", body.ReadYourWrites, len(body.Nodes))
	}
	for i, want := range []string{"primary", "replica-1", "replica-2"} {
		n := body.Nodes[i]
		if n.Name != want || !n.Healthy {
			t.Errorf("node %d = %+v, want healthy %s", i, n, want)
		}
	}
	if body.Nodes[0].Writes == 0 {
		t.Errorf("primary shows no writes routed after logins: %+v", body.Nodes[0])
	}
	if body.Nodes[1].Reads+body.Nodes[2].Reads == 0 {
		t.Errorf("replicas show no reads routed: %+v", body.Nodes[1:])
	}

	res, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	text, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		`db_queries_total{kind="write",node="primary"}`,
		`db_queries_total{kind="read",node="replica-`,
		`db_route_decisions_total{reason="write"}`,
		`db_route_decisions_total{reason="replica"}`,
		`db_replica_healthy{node="replica-2"} 1`,
		`db_replica_lag_seconds{node="replica-1"}`,
		`http_request_duration_seconds_bucket{method="GET",route="/api/v1/admin/replication"`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
