package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/db"
)

type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxState
)

// reqState is the mutable per-request state middleware and handlers share: who
// the user is (login sets it late) and where the request's database is bound.
type reqState struct {
	userID  uint64
	kind    db.Kind
	binding *db.Binding
	// side binds a write request's side reads (see readSide); sideChosen
	// says it was chosen (nil then: the primary, the write's own binding).
	side       *db.Binding
	sideChosen bool
	// actor is the admin behind an impersonation session: reads honour their
	// consistency point too, so their ban or sign-out ends it at once.
	actor uint64
	// affected are the users whose access this write changed (see affects).
	affected []uint64
	// unmatched: no route took the request (404/405): one metrics label.
	unmatched bool
}

// affects names users whose access the request's write changes — banned,
// deleted, re-roled, moved out of a school, their password reset or sessions
// revoked. When the request ends (whatever its status: a revocation can be
// committed under an error answer), bindDB records the primary's position as
// their consistency point, so their next request on any API instance checks
// its session on a node that has the change. Call it before writing the
// response; ids of users that turn out untouched cost only a read or two on
// the primary.
func affects(r *http.Request, ids ...uint64) {
	if st := stateFrom(r.Context()); st != nil {
		st.affected = append(st.affected, ids...)
	}
}

func stateFrom(ctx context.Context) *reqState {
	s, _ := ctx.Value(ctxState).(*reqState)
	return s
}

// RequestID returns the request's id (from X-Request-ID or generated).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID).(string)
	return id
}

// requestID takes a sane X-Request-ID from the client or makes one, and echoes it.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		ctx := context.WithValue(r.Context(), ctxRequestID, id)
		ctx = context.WithValue(ctx, ctxState, &reqState{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// accessLog writes one JSON line per request once it has finished.
func (a *API) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		route := chi.RouteContext(r.Context()).RoutePattern()
		st := stateFrom(r.Context())
		if route == "" || st != nil && st.unmatched {
			route = unmatchedRoute
		}
		a.metrics.observeRequest(r.Method, route, status, time.Since(start))
		if !a.log.Enabled(r.Context(), slog.LevelInfo) {
			return // LOG_LEVEL=warn: no access log, and none of its allocations
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
			slog.Duration("duration", time.Since(start)), slog.String("request_id", RequestID(r.Context())),
		}
		if st != nil && st.binding != nil {
			attrs = append(attrs, slog.String("db_node", st.binding.Route.Node), slog.String("db_reason", st.binding.Route.Reason))
		}
		if st != nil && st.userID != 0 {
			attrs = append(attrs, slog.Uint64("user_id", st.userID))
		}
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// recoverer turns a panic into a logged 500 problem.
func (a *API) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.Error("panic", "request_id", RequestID(r.Context()), "panic", v, "stack", string(debug.Stack()))
				a.writeError(w, r, errorf(http.StatusInternalServerError, "Something went wrong on our side. Please try again."))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// classify marks GET, HEAD and OPTIONS as reads and everything else as writes.
func classify(method string) db.Kind {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return db.Read
	}
	return db.Write
}

// bindDB binds the request to one database node before the handler runs. A
// read whose replica fails with a connection error is run once more on another
// healthy replica or the primary, so its response is held until it is known to
// be good. After a successful write it records the user's consistency point so
// their next reads see it. It runs after authentication so the user is known.
func (a *API) bindDB(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateFrom(r.Context())
		st.kind = classify(r.Method)
		st.binding = a.cluster.ForRequest(r.Context(), st.kind, st.userID, st.actor)
		defer func() {
			st.binding.Release()
			if st.side != nil {
				st.side.Release()
			}
		}()
		if st.kind == db.Read {
			bw := newBufferedWriter(w)
			next.ServeHTTP(bw, r)
			if st.kind == db.Read && st.binding.ReplicaFailed() && r.Context().Err() == nil {
				st.binding = a.cluster.Retry(r.Context(), st.binding, st.userID, st.actor)
				a.setNodeHeader(w, st.binding)
				next.ServeHTTP(w, r)
				return
			}
			a.setNodeHeader(bw, st.binding)
			if st.kind == db.Write && bw.status < 300 && st.userID != 0 {
				// A GET marked asWrite wrote on the primary (see asWrite).
				a.cluster.AfterWrite(context.WithoutCancel(r.Context()), st.userID)
			}
			bw.flush()
			return
		}
		a.setNodeHeader(w, st.binding)
		// The point is recorded when the handler sends its status, before the
		// client can see the response and issue its next read: for the writer
		// after a success, for the users it affected in any case.
		cw := &commitWriter{ResponseWriter: w, onDecide: func(code int) {
			ids := st.affected
			if code < 300 {
				ids = append(ids, st.userID)
			}
			a.cluster.AfterWrite(context.WithoutCancel(r.Context()), ids...)
		}}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

// asWrite marks a route whose GET changes state (a share link's view count)
// as a write: `r.With(a.asWrite).Get(...)` in routes.go. bindDB has bound the
// request by its method before the route was known, so asWrite re-binds it to
// the primary; bindDB then records the user's consistency point after it as
// after any write. The request kind is the route's, not only its method's.
func (a *API) asWrite(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateFrom(r.Context())
		if st.kind != db.Write {
			st.kind = db.Write
			a.rebind(r)
		}
		next.ServeHTTP(w, r)
	})
}

// rebind binds the request afresh for its kind: asWrite uses it, and so does a
// long upload, whose write timeout (DB_WRITE_TIMEOUT) must count from its
// statements, not from the start of a body that took minutes to arrive.
func (a *API) rebind(r *http.Request) {
	st := stateFrom(r.Context())
	st.binding.Release()
	st.binding = a.cluster.ForRequest(r.Context(), st.kind, st.userID)
}

func (a *API) setNodeHeader(w http.ResponseWriter, b *db.Binding) {
	if a.cfg.RoutingDebugHeader {
		w.Header().Set("X-DB-Node", b.Route.Node)
	}
}

// reqDB returns the request's *gorm.DB, bound by bindDB to the node that must
// serve it; each query on it starts afresh. Handlers never choose a node.
func reqDB(r *http.Request) *gorm.DB {
	return stateFrom(r.Context()).binding.DB
}

// readSide runs fn, reads only, on the node for the request's reads that
// don't depend on its own statements: a read request's own binding; for a
// write request a replica that has the caller's consistency points
// (db.Cluster.ForSideReads), so the session check, ownership checks and the
// parts of the answer the write leaves alone stay off the primary. Never use
// it for what the write decides on under a lock, nor for rows the request has
// written. A replica failing mid-read is left and fn runs again elsewhere.
func (a *API) readSide(r *http.Request, fn func(tx *gorm.DB) error) error {
	st := stateFrom(r.Context())
	if st.kind == db.Read {
		return fn(st.binding.DB)
	}
	if !st.sideChosen {
		st.side, st.sideChosen = a.cluster.ForSideReads(r.Context(), st.userID, st.actor), true
	}
	if st.side == nil {
		return fn(st.binding.DB) // on the primary, with the write (and its deadline)
	}
	err := fn(st.side.DB)
	if st.side.ReplicaFailed() && r.Context().Err() == nil {
		// The replica leaves rotation; the primary, with the write, reads it.
		st.side.Release()
		a.cluster.MarkFailed(st.side)
		st.side = nil
		err = fn(st.binding.DB)
	}
	return err
}

// bufferedWriter holds a response until flush, so a failed read can be redone.
type bufferedWriter struct {
	w      http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedWriter(w http.ResponseWriter) *bufferedWriter {
	return &bufferedWriter{w: w, header: w.Header().Clone()}
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedWriter) flush() {
	h := b.w.Header()
	for k := range h {
		if _, ok := b.header[k]; !ok {
			delete(h, k)
		}
	}
	for k, v := range b.header {
		h[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.w.WriteHeader(b.status)
	_, _ = b.w.Write(b.body.Bytes())
}

// commitWriter calls onDecide once, with the status, just before it is written.
type commitWriter struct {
	http.ResponseWriter
	onDecide func(code int)
	decided  bool
}

func (w *commitWriter) WriteHeader(code int) {
	if !w.decided {
		w.decided = true
		w.onDecide(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *commitWriter) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// finish covers a handler that wrote nothing (an implicit 200).
func (w *commitWriter) finish() {
	if !w.decided {
		w.decided = true
		w.onDecide(http.StatusOK)
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *commitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
