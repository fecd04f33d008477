// Package refserver is the benchmark's reference server: the endpoints the
// load generator drives, written with plain net/http and database/sql — no
// ORM, no router framework, no read-your-writes — running the same queries on
// the same nodes as the API (writes on the primary, each read request on one
// replica chosen round-robin) behind the same JWT and session check. The
// API's throughput divided by this server's says what GORM, chi, the routing
// layer and consistency tracking cost together.
package refserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/golang-jwt/jwt/v5"
)

// Options configure the server.
type Options struct {
	Primary      *mysql.Config
	Replicas     []*mysql.Config
	JWTSecret    string
	MaxOpenConns int
	MaxIdleConns int
	MaxSubjects  int
}

// Server serves the reference endpoints.
type Server struct {
	primary  *sql.DB
	replicas []*sql.DB
	next     atomic.Uint64
	key      []byte
	max      int
	mux      *http.ServeMux
}

// New opens one pool per node, sized like the API's.
func New(o Options) (*Server, error) {
	open := func(c *mysql.Config) (*sql.DB, error) {
		c = c.Clone()
		c.ParseTime = true
		conn, err := mysql.NewConnector(c)
		if err != nil {
			return nil, err
		}
		db := sql.OpenDB(conn)
		db.SetMaxOpenConns(o.MaxOpenConns)
		db.SetMaxIdleConns(o.MaxIdleConns)
		db.SetConnMaxLifetime(5 * time.Minute)
		return db, nil
	}
	s := &Server{key: []byte(o.JWTSecret), max: o.MaxSubjects, mux: http.NewServeMux()}
	var err error
	if s.primary, err = open(o.Primary); err != nil {
		return nil, err
	}
	for _, r := range o.Replicas {
		db, err := open(r)
		if err != nil {
			return nil, err
		}
		s.replicas = append(s.replicas, db)
	}
	s.mux.HandleFunc("GET /api/v1/subjects", s.auth(s.listSubjects))
	s.mux.HandleFunc("POST /api/v1/subjects", s.auth(s.createSubject))
	s.mux.HandleFunc("GET /api/v1/subjects/{id}", s.auth(s.getSubject))
	s.mux.HandleFunc("PATCH /api/v1/subjects/{id}", s.auth(s.patchSubject))
	s.mux.HandleFunc("DELETE /api/v1/subjects/{id}", s.auth(s.deleteSubject))
	s.mux.HandleFunc("GET /api/v1/subjects/{id}/lessons", s.auth(s.getLessons))
	s.mux.HandleFunc("GET /api/v1/dashboard/curriculum-progress", s.auth(s.dashboard))
	s.mux.HandleFunc("POST /api/v1/lessons/{id}/complete", s.auth(s.complete(true)))
	s.mux.HandleFunc("POST /api/v1/lessons/{id}/uncomplete", s.auth(s.complete(false)))
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close closes the pools.
func (s *Server) Close() {
	s.primary.Close()
	for _, r := range s.replicas {
		r.Close()
	}
}

// req is one authenticated request: its user and its node.
type req struct {
	userID uint64
	db     *sql.DB
}

type claims struct {
	SessionID uint64 `json:"sid"`
	jwt.RegisteredClaims
}

// auth verifies the bearer token as the API does (HS256 only, exp required),
// binds the request to a node, and checks the session row on that node.
func (s *Server) auth(h func(http.ResponseWriter, *http.Request, *req)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		var c claims
		if ok {
			_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
				jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
			ok = err == nil
		}
		uid, err := strconv.ParseUint(c.Subject, 10, 64)
		if !ok || err != nil || c.SessionID == 0 {
			problem(w, http.StatusUnauthorized, "Please sign in to continue.")
			return
		}
		q := &req{userID: uid, db: s.primary}
		if r.Method == http.MethodGet && len(s.replicas) > 0 {
			q.db = s.replicas[int((s.next.Add(1)-1)%uint64(len(s.replicas)))]
		}
		var revoked sql.NullTime
		var expires time.Time
		var active bool
		err = q.db.QueryRowContext(r.Context(), `SELECT s.revoked_at, s.expires_at, u.is_active FROM sessions AS s
			JOIN users AS u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ?`, c.SessionID, uid).Scan(&revoked, &expires, &active)
		if err != nil || revoked.Valid || !time.Now().Before(expires) || !active {
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				fail(w, err)
				return
			}
			problem(w, http.StatusUnauthorized, "Your session has ended. Please sign in again.")
			return
		}
		h(w, r, q)
	}
}

func pathID(r *http.Request) (uint64, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail})
}

func fail(w http.ResponseWriter, err error) {
	if errors.Is(err, sql.ErrNoRows) {
		problem(w, http.StatusNotFound, "There is no such subject.")
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	problem(w, http.StatusInternalServerError, "Something went wrong on our side.")
}
