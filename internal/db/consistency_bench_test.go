package db

import (
	"context"
	"testing"
	"time"
)

// BenchmarkMemoryStoreGet is the consistency-point lookup every read request
// of a signed-in user makes (in memory: one API instance).
func BenchmarkMemoryStoreGet(b *testing.B) {
	m := newMemoryStore()
	ctx := context.Background()
	const users = 100000
	for u := range uint64(users) {
		_ = m.Set(ctx, u, Point{GTID: "0-1-12345", At: time.Now()})
	}
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		if _, ok, _ := m.Get(ctx, i%users); !ok {
			b.Fatal("point missing")
		}
		i++
	}
}

// BenchmarkGTIDContains is the check "has this replica applied the user's
// point" made for each healthy replica on a read with a consistency point.
func BenchmarkGTIDContains(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := gtidContains(MariaDB, "0-1-123456,1-2-77", "0-1-123400"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
