// Package faulttest holds tests that inject faults into a private database
// cluster (ports 3356–3358) while concurrent users load the real API: a
// stopped replication thread, lag beyond MAX_REPLICA_LAG, a primary restart,
// a flaky network to a replica, and clients that hang up. It has no code of
// its own; the tests run with `make test`.
package faulttest
