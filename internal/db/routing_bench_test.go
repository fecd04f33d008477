package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
)

// BenchmarkForRequest is the routing decision of one request on a cluster
// whose replicas are healthy (the real local cluster): a write, a read by a
// user with no consistency point, and a read by a user whose last write every
// replica has applied (the point is looked up, found caught up and forgotten).
func BenchmarkForRequest(b *testing.B) {
	d := dbtest.New(b)
	cfg, err := d.Config()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c, err := db.Open(ctx, db.OptionsFromConfig(cfg, nil))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cancel(); c.Close() })
	c.Start(ctx)
	if st := c.Status(ctx); len(st) < 3 || !st[1].Healthy || !st[2].Healthy {
		b.Fatalf("replicas not healthy: %+v", st)
	}
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			c.ForRequest(ctx, db.Write, 1).Release()
		}
	})
	b.Run("read/no-point", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if bd := c.ForRequest(ctx, db.Read, 1); bd.Route.Node == "primary" {
				b.Fatal("read of an idle user routed to the primary")
			}
		}
	})
	b.Run("read/caught-up-point", func(b *testing.B) {
		// Users 1000… each wrote once; the health checker sees the replicas past it.
		const users = 10000
		for u := range uint64(users) {
			c.AfterWrite(ctx, 1000+u)
		}
		time.Sleep(4 * cfg.HealthInterval)
		b.ReportAllocs()
		i := uint64(0)
		for b.Loop() {
			c.ForRequest(ctx, db.Read, 1000+i%users).Release()
			i++
		}
	})
}
