package faulttest_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/dbtest"
)

// TestPrimaryRestartLosesNoAcknowledgedWrite registers users (a write) from
// several clients while the primary is stopped and started again. Every
// registration that got a 201 must be in the table afterwards, once.
func TestPrimaryRestartLosesNoAcknowledgedWrite(t *testing.T) {
	cl := privateCluster(t)
	d := cl.Database(t)
	a := newAPI(t, d, "DB_WRITE_TIMEOUT", "1s")

	var (
		mu        sync.Mutex
		acked     = map[string]bool{}
		statuses  = map[int]int{}
		afterBack int // 201s once the primary is back
		back      bool
		noRetry   int // 503s without Retry-After
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				email := fmt.Sprintf("restart-%d-%d@example.com", w, k)
				res := a.do(context.Background(), "", "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "password-1", "full_name": "W"})
				mu.Lock()
				statuses[res.status]++
				switch {
				case res.err != nil:
					statuses[-1]++
				case res.status == http.StatusCreated:
					acked[email] = true
					if back {
						afterBack++
					}
				case res.status == http.StatusServiceUnavailable && res.header.Get("Retry-After") == "":
					noRetry++
				}
				mu.Unlock()
				if res.status != http.StatusCreated {
					time.Sleep(20 * time.Millisecond) // as a client honouring Retry-After would, briefly
				}
			}
		})
	}
	time.Sleep(time.Second)
	cl.Stop(t, 0)
	time.Sleep(time.Second)
	cl.Restart(t)
	mu.Lock()
	back = true
	mu.Unlock()
	dbtest.WaitFor(t, 30*time.Second, "registrations succeed again", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return afterBack >= 20
	})
	close(stop)
	wg.Wait()
	t.Logf("statuses seen (-1: transport error): %v", statuses)

	for status, n := range statuses {
		if status != http.StatusCreated && status != http.StatusServiceUnavailable {
			t.Errorf("%d answers with status %d, want only 201 and 503", n, status)
		}
	}
	if statuses[http.StatusServiceUnavailable] == 0 {
		t.Error("no registration answered 503: the primary was never seen down")
	}
	if noRetry != 0 {
		t.Errorf("%d answers 503 without Retry-After", noRetry)
	}
	rows, err := d.Admin().Query("SELECT email, COUNT(*) FROM `" + d.Name + "`.users WHERE email LIKE 'restart-%' GROUP BY email")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stored := map[string]bool{}
	for rows.Next() {
		var email string
		var n int
		if err := rows.Scan(&email, &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s stored %d times, want once", email, n)
		}
		stored[email] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for email := range acked {
		if !stored[email] {
			lost++
			t.Errorf("registration of %s answered 201 but is not in the table", email)
		}
	}
	// A write whose commit happened while the connection broke is stored
	// though the client saw a 503: the client retries and gets a 409.
	t.Logf("%d registrations acknowledged, %d stored, %d lost, %d stored without a 201", len(acked), len(stored), lost, len(stored)-len(acked)+lost)
}
