package db

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Point is a user's consistency point: the primary's GTID position right after
// the user's last successful write, and when it was taken. GTID is empty when
// the position could not be read (window mode applies then).
type Point struct {
	GTID string
	At   time.Time
}

// pointStore keeps consistency points by user id. In memory for one instance;
// in Redis when several instances share users.
type pointStore interface {
	Get(ctx context.Context, userID uint64) (Point, bool, error)
	Set(ctx context.Context, userID uint64, p Point) error
	Delete(ctx context.Context, userID uint64) error
}

// pointTTL bounds how long a point is kept at all: far beyond any lag a healthy
// replica may have (MAX_REPLICA_LAG), so forgetting it can't expose stale data.
const pointTTL = 10 * time.Minute

// memoryStore is the single-instance store.
type memoryStore struct {
	mu     sync.Mutex
	points map[uint64]Point
	swept  time.Time
}

func newMemoryStore() *memoryStore { return &memoryStore{points: map[uint64]Point{}} }

func (m *memoryStore) Get(_ context.Context, userID uint64) (Point, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.points[userID]
	if ok && time.Since(p.At) > pointTTL {
		delete(m.points, userID)
		return Point{}, false, nil
	}
	return p, ok, nil
}

func (m *memoryStore) Set(_ context.Context, userID uint64, p Point) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.points[userID] = p
	// Sweep expired points now and then so memory stays bounded by active users.
	if now := time.Now(); now.Sub(m.swept) > time.Minute {
		m.swept = now
		for id, q := range m.points {
			if now.Sub(q.At) > pointTTL {
				delete(m.points, id)
			}
		}
	}
	return nil
}

func (m *memoryStore) Delete(_ context.Context, userID uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.points, userID)
	return nil
}

// redisStore shares points between API instances. Values are "unixnano|gtid".
type redisStore struct {
	client *redis.Client
	prefix string
}

func newRedisStore(url, prefix, caFile string) (*redisStore, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	// rediss:// gets a TLS config that checks the server's name; a CA file
	// replaces the system's roots (managed Redis with a private CA).
	if opts.TLSConfig != nil {
		opts.TLSConfig.MinVersion = tls.VersionTLS12
		if caFile != "" {
			pem, err := os.ReadFile(caFile)
			if err != nil {
				return nil, fmt.Errorf("REDIS_TLS_CA: %w", err)
			}
			roots := x509.NewCertPool()
			if !roots.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("REDIS_TLS_CA (%s) holds no PEM certificate", caFile)
			}
			opts.TLSConfig.RootCAs = roots
		}
	}
	opts.DialTimeout = 500 * time.Millisecond
	opts.ReadTimeout = 250 * time.Millisecond
	opts.WriteTimeout = 250 * time.Millisecond
	opts.MaxRetries = 1
	return &redisStore{client: redis.NewClient(opts), prefix: prefix}, nil
}

func (r *redisStore) key(userID uint64) string {
	return r.prefix + "cp:" + strconv.FormatUint(userID, 10)
}

func (r *redisStore) Get(ctx context.Context, userID uint64) (Point, bool, error) {
	v, err := r.client.Get(ctx, r.key(userID)).Result()
	if errors.Is(err, redis.Nil) {
		return Point{}, false, nil
	}
	if err != nil {
		return Point{}, false, err
	}
	at, gtid, ok := strings.Cut(v, "|")
	ns, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil {
		return Point{}, false, fmt.Errorf("malformed consistency point %q", v)
	}
	return Point{GTID: gtid, At: time.Unix(0, ns)}, true, nil
}

func (r *redisStore) Set(ctx context.Context, userID uint64, p Point) error {
	return r.client.Set(ctx, r.key(userID), strconv.FormatInt(p.At.UnixNano(), 10)+"|"+p.GTID, pointTTL).Err()
}

func (r *redisStore) Delete(ctx context.Context, userID uint64) error {
	return r.client.Del(ctx, r.key(userID)).Err()
}

func (r *redisStore) Close() error { return r.client.Close() }
