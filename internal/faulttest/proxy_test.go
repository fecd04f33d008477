package faulttest_test

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/dbtest"
)

// proxy is a TCP proxy on 127.0.0.1 between the API and one replica that
// can add delay, cut every connection, or swallow traffic (a partition).
type proxy struct {
	ln     net.Listener
	target string
	delay  atomic.Int64 // per chunk, in nanoseconds
	hole   atomic.Bool  // swallow everything: nothing is forwarded either way
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *proxy) serve(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		client.Close()
		return
	}
	p.track(client, server)
	go p.pipe(server, client)
	p.pipe(client, server)
}

func (p *proxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = true
	}
}

// pipe copies src to dst chunk by chunk, applying the current fault.
func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if d := time.Duration(p.delay.Load()); d > 0 {
				time.Sleep(d)
			}
			if !p.hole.Load() {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// cut closes every connection through the proxy, as a dropped link does.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// replicaURLs is DATABASE_REPLICA_URLS for d with replica-1 behind addr.
func replicaURLs(cl *dbtest.Cluster, d *dbtest.Database, addr string) string {
	u := func(hostport string) string {
		return "mysql://teachtrack:teachtrack-dev@" + hostport + "/" + d.Name
	}
	return u(addr) + "," + u("127.0.0.1:"+strconv.Itoa(cl.Ports[2]))
}

// TestReplicaBehindFlakyNetwork puts replica-1 behind the proxy and, while
// users read and write, cuts its connections, slows it, then partitions it.
// Reads fail over; none fails or hangs.
func TestReplicaBehindFlakyNetwork(t *testing.T) {
	cl := privateCluster(t)
	d := cl.Database(t)
	p := startProxy(t, "127.0.0.1:"+strconv.Itoa(cl.Ports[1]))
	a := newAPI(t, d, "DATABASE_REPLICA_URLS", replicaURLs(cl, d, p.addr()), "DB_READ_TIMEOUT", "1s")
	users := a.users(t, "proxy", 6)
	dbtest.WaitFor(t, 10*time.Second, "both replicas in rotation", func() bool {
		return a.health("replica-1").Healthy && a.health("replica-2").Healthy
	})
	readers := a.users(t, "proxy-reader", 4)

	stop := make(chan struct{})
	writers, waitW := readYourWritesLoad(a, users, true, stop)
	reads, waitR := readYourWritesLoad(a, readers, false, stop)
	phase := func(name string, d time.Duration) {
		t.Logf("phase: %s", name)
		time.Sleep(d)
	}
	phase("healthy", 500*time.Millisecond)

	p.cut()
	phase("connections to replica-1 cut", time.Second)
	dbtest.WaitFor(t, 10*time.Second, "replica-1 back after the cut", func() bool { return a.health("replica-1").Healthy })

	p.delay.Store(int64(300 * time.Millisecond))
	phase("300ms delay each way", 2*time.Second)
	p.delay.Store(0)
	dbtest.WaitFor(t, 10*time.Second, "replica-1 back after the delay", func() bool { return a.health("replica-1").Healthy })

	// Longer than DB_READ_TIMEOUT (1s): reads caught on replica-1 must be
	// timed out and retried, not wait for the network to heal.
	p.hole.Store(true)
	phase("replica-1 partitioned (traffic swallowed)", 6*time.Second)
	if a.health("replica-1").Healthy {
		t.Error("replica-1 still in rotation while partitioned")
	}
	p.hole.Store(false)
	p.cut()
	dbtest.WaitFor(t, 15*time.Second, "replica-1 back after the partition", func() bool { return a.health("replica-1").Healthy })
	phase("healed", 500*time.Millisecond)

	close(stop)
	waitW()
	waitR()
	writers.check(t)
	reads.check(t)
	// Loose bound: a read waits at most DB_READ_TIMEOUT (1s) on a replica and
	// is retried once; the partition lasted 6s, which a read without a
	// timeout would wait out.
	for _, s := range []*loadStats{writers, reads} {
		if s.maxTook > 5*time.Second {
			t.Errorf("a request took %s, want under 5s (DB_READ_TIMEOUT 1s + one retry, with room for a loaded machine)", s.maxTook)
		}
	}
}
