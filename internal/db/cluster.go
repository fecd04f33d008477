// Package db is everything about databases: the primary and replica pools,
// dbresolver, routing each request to one node, replica health, consistency
// points for read-your-writes, replication setup and migrations.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"

	"github.com/teachtrack/api/internal/config"
)

// Options configure a Cluster.
type Options struct {
	Primary         *mysql.Config
	Replicas        []*mysql.Config
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	Logger          *slog.Logger

	Mode           string        // ModeCausal, ModeWindow or ModeOff
	CausalWait     time.Duration // longest wait on a replica for a user's point
	StickyWindow   time.Duration // window mode, and the fallback without GTIDs
	HealthInterval time.Duration
	MaxReplicaLag  time.Duration
	WriteTimeout   time.Duration // bounds a write request's statements
	ReadsOnPrimary bool          // the primary joins the read rotation
	// ReadTimeout bounds each wait for a replica's answer; past it the
	// connection counts as broken and the read is retried elsewhere.
	ReadTimeout time.Duration
	RedisURL    string // shared consistency points; empty: in memory
	RedisTLSCA  string // CA file for a rediss:// URL; empty: the system's roots
	RedisPrefix string // key prefix in Redis

	// FailoverAuto (FAILOVER=auto) promotes a replica once the primary has
	// been unreachable for FailoverAfter, with the administrative
	// credentials of Replication.
	FailoverAuto  bool
	FailoverAfter time.Duration
	Replication   ReplicationConfig
}

// Node is one database server and its connection pool.
type Node struct {
	Name string // "primary", "replica-1", …
	Addr string
	DB   *sql.DB
	// resolver is the dbresolver name that pins statements to this node.
	resolver string

	mu     sync.Mutex
	health health // replicas only: the checker's last view

	reads, writes, errors atomic.Int64
	// behindUntil (unix ns): a read's wait on this replica timed out; until
	// then reads don't wait on it again (routing.go).
	behindUntil atomic.Int64
}

// Cluster is the primary and its replicas behind one *gorm.DB.
type Cluster struct {
	opts     Options
	log      *slog.Logger
	gorm     *gorm.DB
	primary  *Node
	replicas []*Node
	next     atomic.Uint64 // round-robin position among replicas

	flavor   Flavor
	healthy  atomic.Pointer[[]*Node] // replicas in rotation
	store    pointStore
	fallback *memoryStore // with Redis: points recorded while Redis is down
	redis    *redisStore
	metrics  *clusterMetrics
	warnOnce sync.Once
	// storeWarned is when a consistency-store failure was last logged (unix ns).
	storeWarned atomic.Int64

	// writer is where the primary pool connects (the one writable node);
	// topo is the health checker's view of every node's role.
	writer atomic.Pointer[writerTarget]
	topo   topology
}

// Open opens a pool per node and registers them with dbresolver. It does not
// require any node to be up: a node that is down is found by the health
// checker and requests route around it.
func Open(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Mode == "" {
		opts.Mode = ModeCausal
	}
	if opts.HealthInterval <= 0 {
		opts.HealthInterval = 500 * time.Millisecond
	}
	if opts.MaxReplicaLag <= 0 {
		opts.MaxReplicaLag = 5 * time.Second
	}
	c := &Cluster{opts: opts, log: opts.Logger, flavor: MariaDB, metrics: newClusterMetrics()}
	c.healthy.Store(&[]*Node{})
	c.store = newMemoryStore()
	if opts.RedisURL != "" {
		rs, err := newRedisStore(opts.RedisURL, opts.RedisPrefix, opts.RedisTLSCA)
		if err != nil {
			return nil, err
		}
		c.redis, c.store, c.fallback = rs, rs, newMemoryStore()
	}
	var err error
	// The primary pool follows the writable node (topology_writer.go); it
	// starts at DATABASE_URL's.
	c.primary = c.newNode("primary", opts.Primary.Addr, writerConnector{c})
	for i, r := range opts.Replicas {
		if r.ReadTimeout == 0 && opts.ReadTimeout > 0 {
			// A replica cut off by the network (packets swallowed, not refused)
			// would otherwise hold a read forever: nothing else times it out.
			r = r.Clone()
			r.ReadTimeout = opts.ReadTimeout
		}
		n, err := c.openNode(fmt.Sprintf("replica-%d", i+1), r)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.replicas = append(c.replicas, n)
	}
	if err := c.openMembers(opts); err != nil {
		c.Close()
		return nil, err
	}
	c.gorm, err = gorm.Open(dialector(c.primary.DB), &gorm.Config{
		SkipDefaultTransaction: true,
		TranslateError:         true,
		DisableAutomaticPing:   true,
		PrepareStmt:            false,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("opening gorm: %w", err)
	}
	if len(c.replicas) > 0 {
		// One resolver per replica pins a request's statements to that node; the
		// pools are shared with the global resolver, so each node has one pool.
		all := make([]gorm.Dialector, len(c.replicas))
		for i, r := range c.replicas {
			all[i] = dialector(r.DB)
		}
		resolver := dbresolver.Register(dbresolver.Config{Replicas: all, Policy: dbresolver.StrictRoundRobinPolicy()})
		for i, r := range c.replicas {
			resolver = resolver.Register(dbresolver.Config{Replicas: []gorm.Dialector{all[i]}}, r.resolver)
		}
		if err := c.gorm.Use(resolver); err != nil {
			c.Close()
			return nil, fmt.Errorf("registering dbresolver: %w", err)
		}
	}
	if err := c.registerCallbacks(); err != nil {
		c.Close()
		return nil, fmt.Errorf("registering callbacks: %w", err)
	}
	return c, nil
}

func dialector(conn *sql.DB) gorm.Dialector {
	return gormmysql.New(gormmysql.Config{Conn: conn, SkipInitializeWithVersion: true, DefaultStringSize: 255})
}

// primaryConfig bounds how long a statement waits for a row lock on the
// primary by DB_WRITE_TIMEOUT (rounded up to whole seconds). The client gives
// up at the timeout by closing its connection, but the server would keep the
// statement waiting and might still commit it once the lock is released: this
// makes the server give up too.
// Any node may become the primary, so each node's write settings are made
// the same way (writeConfig).
func primaryConfig(opts Options) *mysql.Config { return writeConfig(opts, opts.Primary) }

func writeConfig(opts Options, cfg *mysql.Config) *mysql.Config {
	if opts.WriteTimeout <= 0 {
		return cfg
	}
	if _, set := cfg.Params["innodb_lock_wait_timeout"]; set {
		return cfg
	}
	cfg = cfg.Clone()
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	secs := int64(math.Ceil(opts.WriteTimeout.Seconds()))
	cfg.Params["innodb_lock_wait_timeout"] = strconv.FormatInt(max(secs, 1), 10)
	return cfg
}

func (c *Cluster) openNode(name string, cfg *mysql.Config) (*Node, error) {
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c.newNode(name, cfg.Addr, connector), nil
}

func (c *Cluster) newNode(name, addr string, connector driver.Connector) *Node {
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(c.opts.MaxOpenConns)
	db.SetMaxIdleConns(c.opts.MaxIdleConns)
	db.SetConnMaxLifetime(c.opts.ConnMaxLifetime)
	db.SetConnMaxIdleTime(time.Minute)
	// Resolver names share dbresolver's map with table names: this prefix is no table's.
	return &Node{Name: name, Addr: addr, DB: db, resolver: "tt-node-" + name}
}

// Primary is the primary's node (migrations and administrative work use it).
func (c *Cluster) Primary() *Node { return c.primary }

// Close closes every pool.
func (c *Cluster) Close() error {
	if c.primary != nil {
		c.primary.DB.Close()
	}
	for _, r := range c.replicas {
		r.DB.Close()
	}
	if len(c.topo.members) > 0 {
		c.topo.members[0].check.Close()
	}
	if c.redis != nil {
		c.redis.Close()
	}
	return nil
}

// OptionsFromConfig maps the application's configuration to cluster options.
func OptionsFromConfig(cfg *config.Config, log *slog.Logger) Options {
	return Options{
		Primary: cfg.Primary, Replicas: cfg.Replicas,
		MaxOpenConns: cfg.DBMaxOpenConns, MaxIdleConns: cfg.DBMaxIdleConns, ConnMaxLifetime: cfg.DBConnMaxLifetime,
		Logger: log,
		Mode:   cfg.ReadYourWrites, CausalWait: cfg.CausalWait, StickyWindow: cfg.StickyWindow,
		HealthInterval: cfg.HealthInterval, MaxReplicaLag: cfg.MaxReplicaLag, WriteTimeout: cfg.DBWriteTimeout,
		ReadsOnPrimary: cfg.ReadsOnPrimary, ReadTimeout: cfg.DBReadTimeout,
		RedisURL: cfg.RedisURL, RedisPrefix: cfg.RedisKeyPrefix, RedisTLSCA: cfg.RedisTLSCA,
		FailoverAuto: cfg.Failover == "auto", FailoverAfter: cfg.FailoverAfter, Replication: ReplicationConfigFrom(cfg),
	}
}

// ReplicationConfigFrom is what the replication commands and automatic
// failover need from the application's configuration.
func ReplicationConfigFrom(cfg *config.Config) ReplicationConfig {
	return ReplicationConfig{
		Primary: cfg.Primary, Replicas: cfg.Replicas,
		AdminUser: cfg.DBAdminUser, AdminPassword: cfg.DBAdminPassword,
		ReplUser: cfg.ReplicationUser, ReplPassword: cfg.ReplicationPassword,
		PrimaryHost: cfg.ReplicationPrimaryHost, TLS: cfg.ReplicationTLS,
		SemiSyncTimeout: cfg.SemiSyncTimeout,
	}
}

// Start learns the engine's flavor, runs a first health check so replicas that
// are up serve reads at once, then checks every HEALTH_INTERVAL until ctx ends.
func (c *Cluster) Start(ctx context.Context) {
	if len(c.replicas) == 0 {
		return
	}
	for _, n := range append([]*Node{c.primary}, c.replicas...) {
		fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		f, err := flavorOf(fctx, n.DB)
		cancel()
		if err == nil {
			c.flavor = f
			break
		}
	}
	c.checkAll(ctx, true)
	go c.runHealth(ctx)
}
