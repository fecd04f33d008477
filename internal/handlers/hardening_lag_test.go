package handlers_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/models"
)

// lagDelay is how late the replicas apply events in TestAccessChangesApplyAtOnce:
// far longer than the test's requests take, so a read that checked its
// session on a replica would see the old state.
const lagDelay = 6

// setReplicaDelay makes replica node (1 or 2) apply events seconds late.
func setReplicaDelay(t *testing.T, d *dbtest.Database, node, seconds int) {
	t.Helper()
	conn, err := d.AdminTo(node)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"STOP SLAVE", fmt.Sprintf("CHANGE MASTER TO MASTER_DELAY=%d", seconds), "START SLAVE"} {
		if _, err := conn.Exec(q); err != nil {
			t.Fatalf("replica-%d: %s: %v", node, q, err)
		}
	}
}

// quietLog sends the API's warnings and errors to the test's log.
func quietLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func replicasHealthy(s *testServer) bool {
	healthy := 0
	for _, n := range s.Cluster.Status(context.Background()) {
		if n.Name != "primary" && n.Healthy {
			healthy++
		}
	}
	return healthy == 2
}

// TestAccessChangesApplyAtOnce runs on a private cluster (ports 3440–3442)
// whose replicas apply events lagDelay seconds late while staying in rotation,
// with two API instances sharing consistency points through Redis. A ban, a
// demotion, a deletion and an impersonator's demotion made through instance A
// apply to the affected users' very next reads through instance B, though
// their sessions are checked where their reads go; a third instance without
// the shared store still reads the old state from the replicas (so the test
// can fail), and a bystander's reads stay on the replicas.
func TestAccessChangesApplyAtOnce(t *testing.T) {
	cl, err := dbtest.StartCluster(3440)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	d := cl.Database(t)
	lagOK := []string{"CAUSAL_WAIT", "0", "MAX_REPLICA_LAG", "60s"}
	shared := append([]string{"REDIS_URL", dbtest.Env("TEST_REDIS_URL"), "REDIS_KEY_PREFIX", "tt-test:" + d.Name + ":"}, lagOK...)
	log := quietLog(t)
	a := newServerOn(t, d, log, shared...)
	b := newServerOn(t, d, log, shared...)
	alone := newServerOn(t, d, log, append([]string{"REDIS_URL", ""}, lagOK...)...)

	super := createUser(t, a, models.RoleSuperAdmin, nil)
	super2 := createUser(t, a, models.RoleSuperAdmin, nil)
	banned := createUser(t, a, models.RoleTeacher, nil)
	deleted := createUser(t, a, models.RoleTeacher, nil)
	demoted := createUser(t, a, models.RoleSchoolAdmin, createSchool(t, a, "Lag School"))
	target := createUser(t, a, models.RoleTeacher, nil)
	bystander := createUser(t, a, models.RoleTeacher, nil)
	impersonation := impersonate(t, a, super, target)
	for _, s := range []*testServer{a, b, alone} {
		dbtest.WaitFor(t, 30*time.Second, "both replicas in rotation", func() bool { return replicasHealthy(s) })
	}

	setReplicaDelay(t, d, 1, lagDelay)
	setReplicaDelay(t, d, 2, lagDelay)
	for _, s := range []*testServer{a, b, alone} {
		dbtest.WaitFor(t, 30*time.Second, "both replicas back in rotation with MASTER_DELAY", func() bool { return replicasHealthy(s) })
	}
	a.noWait, b.noWait, alone.noWait = true, true, true
	start := time.Now()
	expect(t, a.do(t, super.bearerOnly(), "POST", "/api/v1/admin/users/"+itoa(banned.ID)+"/ban", nil), http.StatusOK)
	expect(t, a.do(t, super.bearerOnly(), "DELETE", "/api/v1/admin/users/"+itoa(deleted.ID), nil), http.StatusNoContent)
	expect(t, a.do(t, super.bearerOnly(), "PATCH", "/api/v1/admin/users/"+itoa(demoted.ID)+"/role", map[string]string{"role": "TEACHER"}), http.StatusOK)
	expect(t, a.do(t, super2.bearerOnly(), "PATCH", "/api/v1/admin/users/"+itoa(super.ID)+"/role", map[string]string{"role": "TEACHER"}), http.StatusOK)

	// Without the shared store the replicas still show the old state.
	stale := alone.do(t, banned.cookieOnly(), "GET", "/api/v1/auth/me", nil)
	if stale.Status != http.StatusOK || !strings.HasPrefix(stale.Header.Get("X-DB-Node"), "replica") {
		t.Errorf("an instance without the shared store answered %d from %q; want 200 from a lagging replica (else the test can't tell)", stale.Status, stale.Header.Get("X-DB-Node"))
	}
	for _, s := range []*testServer{b, a} {
		for _, c := range []struct {
			name   string
			caller caller
			path   string
			want   int
		}{
			{"banned", banned.cookieOnly(), "/api/v1/auth/me", http.StatusUnauthorized},
			{"banned, bearer", banned.bearerOnly(), "/api/v1/subjects", http.StatusUnauthorized},
			{"deleted", deleted.cookieOnly(), "/api/v1/auth/me", http.StatusUnauthorized},
			{"demoted", demoted.bearerOnly(), "/api/v1/admin/users", http.StatusForbidden},
			{"impersonation by a demoted admin", impersonation, "/api/v1/auth/me", http.StatusUnauthorized},
		} {
			res := s.do(t, c.caller, "GET", c.path, nil)
			if res.Status != c.want {
				t.Errorf("%s: GET %s on instance %s: %d via %q, want %d", c.name, c.path, map[bool]string{true: "B", false: "A"}[s == b], res.Status, res.Header.Get("X-DB-Node"), c.want)
			}
		}
	}
	if took := time.Since(start); took > lagDelay*time.Second {
		t.Fatalf("the checks took %s, longer than the replicas' delay: they prove nothing", took)
	}
	// Reads of users no write touched stay on the replicas.
	res := expect(t, b.do(t, bystander.cookieOnly(), "GET", "/api/v1/auth/me", nil), http.StatusOK)
	if node := res.Header.Get("X-DB-Node"); !strings.HasPrefix(node, "replica") {
		t.Errorf("a bystander's read went to %q, want a replica", node)
	}
}
