package faulttest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/dbtest"
)

func TestSQLThreadStoppedLeavesRotationWithoutStaleReads(t *testing.T) {
	cl := privateCluster(t)
	d := cl.Database(t)
	a := newAPI(t, d)
	users := a.users(t, "sqlstop", 6)
	dbtest.WaitFor(t, 10*time.Second, "both replicas in rotation", func() bool {
		return a.health("replica-1").Healthy && a.health("replica-2").Healthy
	})

	stop := make(chan struct{})
	stats, wait := readYourWritesLoad(a, users, true, stop)
	time.Sleep(500 * time.Millisecond)
	adminExec(t, d, 1, "STOP SLAVE SQL_THREAD")
	t.Cleanup(func() { adminExec(t, d, 1, "START SLAVE SQL_THREAD") })
	took := dbtest.WaitFor(t, 5*time.Second, "replica-1 out of rotation", func() bool {
		h := a.health("replica-1")
		return !h.Healthy && strings.Contains(h.Reason, "SQL thread")
	})
	t.Logf("replica-1 left rotation %s after its SQL thread stopped (HEALTH_INTERVAL 100ms)", took)
	// Reads bound to replica-1 just before it left may still be answering
	// (under load, for a few hundred ms): count only reads bound after.
	time.Sleep(500 * time.Millisecond)
	stats.resetNodes()
	time.Sleep(time.Second)
	served := stats.nodes()
	close(stop)
	wait()
	stats.check(t)
	if served["replica-1"] != 0 {
		t.Errorf("replica-1 served %d reads after leaving rotation, want 0 (by node: %v)", served["replica-1"], served)
	}

	adminExec(t, d, 1, "START SLAVE SQL_THREAD")
	back := dbtest.WaitFor(t, 30*time.Second, "replica-1 back in rotation", func() bool { return a.health("replica-1").Healthy })
	t.Logf("replica-1 back in rotation %s after its SQL thread restarted", back)
}

func TestLagBeyondMaxReplicaLagLeavesRotation(t *testing.T) {
	cl := privateCluster(t)
	d := cl.Database(t)
	a := newAPI(t, d, "MAX_REPLICA_LAG", "1s")
	users := a.users(t, "lag", 4)
	dbtest.WaitFor(t, 10*time.Second, "both replicas in rotation", func() bool {
		return a.health("replica-1").Healthy && a.health("replica-2").Healthy
	})

	stop := make(chan struct{})
	stats, wait := readYourWritesLoad(a, users, true, stop)
	// Replica-1 applies every event 3s late: under steady writes its lag
	// climbs past MAX_REPLICA_LAG (1s).
	adminExec(t, d, 1, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=3", "START SLAVE")
	t.Cleanup(func() { adminExec(t, d, 1, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=0", "START SLAVE") })
	took := dbtest.WaitFor(t, 20*time.Second, "replica-1 out of rotation for lag", func() bool {
		return strings.Contains(a.health("replica-1").Reason, "over MAX_REPLICA_LAG")
	})
	t.Logf("replica-1 left rotation for lag %s after MASTER_DELAY=3 (reason %q)", took, a.health("replica-1").Reason)
	stats.resetNodes()
	time.Sleep(time.Second)
	served := stats.nodes()

	adminExec(t, d, 1, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=0", "START SLAVE")
	back := dbtest.WaitFor(t, 30*time.Second, "replica-1 back in rotation after catching up", func() bool { return a.health("replica-1").Healthy })
	t.Logf("replica-1 back in rotation %s after the delay was removed", back)
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wait()
	stats.check(t)
	if served["replica-1"] != 0 {
		t.Errorf("replica-1 served %d reads while lagging, want 0 (by node: %v)", served["replica-1"], served)
	}
}
