package legacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// table is how one source table moves: the query that reads it (keyset
// paged: its last two placeholders are "id greater than" and the limit),
// the target columns, and mapRow, which turns a source row into those
// columns' values or refuses it.
type table struct {
	source, target string
	query          string
	cols           []string
	mapRow         func(m *importer, r row) ([]any, error)
	// adopt, when set, may map a row to a target row that already exists
	// (a catalogue template the operator imported from the CBC files).
	adopt func(m *importer, r row) (uint64, bool, error)
	// after runs once the table is imported (not in a dry run): fix-ups of
	// columns that point forward (schools' admins, subjects' counters).
	after func(ctx context.Context, m *importer) error
}

// refusal is a source row the import leaves out, and why.
type refusal struct{ reason string }

func (r *refusal) Error() string { return r.reason }

func refuse(format string, args ...any) error { return &refusal{fmt.Sprintf(format, args...)} }

// skipping is a source row left out on purpose, not for a fault of its own
// (its template is already in the catalogue): counted, not listed.
type skipping struct{ reason string }

func (s *skipping) Error() string { return s.reason }

func skip(format string, args ...any) error { return &skipping{fmt.Sprintf(format, args...)} }

// adoptedDigest marks a mapping to a row the import did not write: it is
// never updated, and not verified.
var adoptedDigest = strings.Repeat("0", 64)

type known struct {
	target uint64
	digest string
}

// importer is one run's state.
type importer struct {
	o      Options
	src    *sql.Tx
	report *Report
	// ids maps each source table's ids to target ids: the rows imported
	// (or, in a dry run, that would be: target 0).
	ids   map[string]map[int64]uint64
	known map[string]map[int64]known
	// keys are the unique keys claimed in this run, by "table:id".
	keys map[string]string
	// adopted and skipped rows, by source table: their children are skipped.
	adopted, skipped map[string]map[int64]bool
	present          map[string]bool // source tables that exist
	cur              *TableReport
	curSource        string
	curID            int64
	verifying        bool
	// schoolAdmins: source school id → source admin user id (for schedules
	// the original stored without a user).
	schoolAdmins map[int64]int64
	// idStep is the id distance of rows of one multi-row INSERT (0: the
	// server doesn't promise consecutive ids; rows go one by one).
	idStep uint64
	// subjectCurrent: source subject → its current strand and sub-strand.
	subjectCurrent map[int64][2]int64
}

func newImporter(ctx context.Context, o Options, src *sql.Tx) (*importer, error) {
	m := &importer{o: o, src: src, report: &Report{DryRun: o.DryRun, MaxReplicaLag: o.MaxReplicaLag},
		ids: map[string]map[int64]uint64{}, known: map[string]map[int64]known{}, keys: map[string]string{},
		present: map[string]bool{}, schoolAdmins: map[int64]int64{},
		adopted: map[string]map[int64]bool{}, skipped: map[string]map[int64]bool{}}
	rows, err := src.QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
	if err != nil {
		return nil, fmt.Errorf("reading the source: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		m.present[n] = true
	}
	rows.Close()
	if !m.present["users"] {
		return nil, errors.New("the source database has no users table: is --from the original backend's database?")
	}
	var lockMode, step uint64
	if err := o.Target.QueryRowContext(ctx, "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment").Scan(&lockMode, &step); err != nil {
		return nil, fmt.Errorf("reading the target's auto-increment mode: %w", err)
	}
	if lockMode <= 1 {
		m.idStep = step
	}
	trows, err := o.Target.QueryContext(ctx, "SELECT source_table, source_id, target_id, digest FROM legacy_ids")
	if err != nil {
		return nil, fmt.Errorf("reading legacy_ids on the target (run `api migrate up` first): %w", err)
	}
	defer trows.Close()
	for trows.Next() {
		var t string
		var k known
		var id int64
		if err := trows.Scan(&t, &id, &k.target, &k.digest); err != nil {
			return nil, err
		}
		if m.known[t] == nil {
			m.known[t] = map[int64]known{}
		}
		m.known[t][id] = k
	}
	return m, trows.Err()
}

// ref is the target id of a source row, if it is (or would be) imported.
func (m *importer) ref(table string, id int64) (uint64, bool) {
	t, ok := m.ids[table][id]
	return t, ok
}

// nref is ref of a nullable reference column: nil when NULL, and when it
// names a row that isn't imported (noted as an adjustment).
func (m *importer) nref(r row, col, table string) any {
	id, ok := r.n(col)
	if !ok {
		return nil
	}
	t, ok := m.ref(table, id)
	if !ok {
		m.adjust("%s pointed to %s #%d, which is not imported: left empty", col, table, id)
		return nil
	}
	return t
}

// must is ref of a required reference: the row is refused without it.
func (m *importer) must(r row, col, table string) (uint64, error) {
	id, ok := r.n(col)
	if !ok {
		return 0, refuse("%s is empty", col)
	}
	t, ok := m.ref(table, id)
	if !ok && (m.skipped[table][id] || m.adopted[table][id]) {
		return 0, skip("its %s is not imported on purpose", strings.TrimSuffix(col, "_id"))
	}
	if !ok {
		return 0, refuse("orphan: its %s #%d is not imported (missing or refused)", strings.TrimSuffix(col, "_id"), id)
	}
	return t, nil
}

// claim takes a unique key for the current row; ok false names the row
// that has it.
func (m *importer) claim(key string) (owner string, ok bool) {
	me := fmt.Sprintf("%s #%d", m.curSource, m.curID)
	if o, taken := m.keys[key]; taken && o != me {
		return o, false
	}
	m.keys[key] = me
	return me, true
}

// adjust records that the current row was imported with a change.
func (m *importer) adjust(format string, args ...any) {
	if m.verifying {
		return
	}
	m.cur.adjust(m.curID, fmt.Sprintf(format, args...))
}

type pendingKind int

const (
	pendInsert pendingKind = iota
	pendUpdate
	pendAdopt
)

type pending struct {
	kind   pendingKind
	id     int64
	target uint64
	vals   []any
	digest string
}

func (m *importer) importTable(ctx context.Context, t *table) error {
	m.cur = m.report.table(t.source, t.target)
	m.curSource = t.source
	if !m.present[t.source] {
		m.cur.Absent = true
		return nil
	}
	if m.ids[t.source] == nil {
		m.ids[t.source] = map[int64]uint64{}
	}
	updateSQL := fmt.Sprintf("UPDATE %s SET %s = ? WHERE id = ?", t.target, strings.Join(quoteList(t.cols), " = ?, "))
	var after int64
	for {
		batch, err := m.read(ctx, t, after)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		var todo []pending
		for _, r := range batch {
			after, m.curID = r.id(), r.id()
			m.cur.Read++
			p, ok, err := m.plan(t, r)
			if err != nil {
				return err
			}
			if ok {
				todo = append(todo, p)
			}
		}
		if m.o.DryRun {
			for _, p := range todo {
				m.cur.count(p.kind)
				if p.kind == pendInsert {
					m.ids[t.source][p.id] = 0
				} else {
					m.ids[t.source][p.id] = p.target
				}
			}
			continue
		}
		if len(todo) == 0 {
			continue
		}
		if err := m.write(ctx, t, todo, updateSQL); err != nil {
			return err
		}
		if err := m.waitLag(ctx); err != nil {
			return err
		}
	}
}

// plan maps one row and decides what to do with it; ok false when nothing
// is to be written (refused or unchanged).
func (m *importer) plan(t *table, r row) (pending, bool, error) {
	id := r.id()
	vals, err := t.mapRow(m, r)
	var ref *refusal
	if errors.As(err, &ref) {
		m.cur.refuse(id, ref.reason)
		return pending{}, false, nil
	}
	var sk *skipping
	if errors.As(err, &sk) {
		m.cur.skip(sk.reason)
		mark(m.skipped, t.source, id)
		return pending{}, false, nil
	}
	if err != nil {
		return pending{}, false, err
	}
	d := digestOf(vals)
	if k, ok := m.known[t.source][id]; ok {
		m.ids[t.source][id] = k.target
		if k.digest == adoptedDigest {
			mark(m.adopted, t.source, id)
		}
		if k.digest == d || k.digest == adoptedDigest {
			m.cur.Unchanged++
			return pending{}, false, nil
		}
		return pending{kind: pendUpdate, id: id, target: k.target, vals: vals, digest: d}, true, nil
	}
	if t.adopt != nil {
		target, ok, err := t.adopt(m, r)
		if err != nil {
			return pending{}, false, err
		}
		if ok {
			mark(m.adopted, t.source, id)
			return pending{kind: pendAdopt, id: id, target: target, digest: adoptedDigest}, true, nil
		}
	}
	return pending{kind: pendInsert, id: id, vals: vals, digest: d}, true, nil
}

// refusable are the errors with which the database turns down one row (a
// duplicate, a value out of range): the row is refused, the batch goes on.
var refusable = map[uint16]bool{1048: true, 1062: true, 1264: true, 1265: true, 1292: true, 1366: true,
	1406: true, 1452: true, 3819: true, 4025: true}

// write applies one batch in one transaction, with its legacy_ids rows, so
// a stopped import never leaves a row without its mapping.
func (m *importer) write(ctx context.Context, t *table, todo []pending, updateSQL string) error {
	tx, err := m.o.Target.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	var done, inserts []pending
	for _, p := range todo {
		switch p.kind {
		case pendInsert:
			inserts = append(inserts, p)
			continue
		case pendUpdate:
			res, err := tx.ExecContext(ctx, updateSQL, append(p.vals, p.target)...)
			if m.refused(err, p.id) {
				continue
			}
			if err != nil {
				return fmt.Errorf("#%d: %w", p.id, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				var one int
				err := tx.QueryRowContext(ctx, "SELECT 1 FROM "+t.target+" WHERE id = ?", p.target).Scan(&one)
				if errors.Is(err, sql.ErrNoRows) {
					m.cur.Gone++
					delete(m.ids[t.source], p.id)
					continue
				}
				if err != nil {
					return err
				}
			}
		}
		done = append(done, p)
	}
	for start := 0; start < len(inserts); start += insertChunk {
		got, err := m.insert(ctx, tx, t, inserts[start:min(start+insertChunk, len(inserts))])
		if err != nil {
			return err
		}
		done = append(done, got...)
	}
	if len(done) > 0 {
		var b strings.Builder
		args := make([]any, 0, 4*len(done))
		b.WriteString("INSERT INTO legacy_ids (source_table, source_id, target_table, target_id, digest) VALUES ")
		for i, p := range done {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("(?,?,?,?,?)")
			args = append(args, t.source, p.id, t.target, p.target, p.digest)
		}
		b.WriteString(" ON DUPLICATE KEY UPDATE target_table = VALUES(target_table), target_id = VALUES(target_id), digest = VALUES(digest)")
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("recording legacy_ids: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if m.known[t.source] == nil {
		m.known[t.source] = map[int64]known{}
	}
	for _, p := range done {
		m.cur.count(p.kind)
		m.ids[t.source][p.id] = p.target
		m.known[t.source][p.id] = known{p.target, p.digest}
	}
	return nil
}

// insertChunk bounds one multi-row INSERT (its statement stays far below
// max_allowed_packet even with long texts).
const insertChunk = 100

// insert writes new rows and fills in their ids: one multi-row INSERT when
// the server gives a statement's rows consecutive ids (InnoDB's
// innodb_autoinc_lock_mode 0 or 1, MariaDB's default: ids are the first
// plus the increment), else, or when the database refuses one of the rows
// (the statement then wrote nothing), row by row.
func (m *importer) insert(ctx context.Context, tx *sql.Tx, t *table, rows []pending) ([]pending, error) {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.cols)), ",") + ")"
	prefix := fmt.Sprintf("INSERT INTO %s (%s) VALUES ", t.target, quoteCols(t.cols))
	if m.idStep > 0 && len(rows) > 1 {
		args := make([]any, 0, len(rows)*len(t.cols))
		for _, p := range rows {
			args = append(args, p.vals...)
		}
		res, err := tx.ExecContext(ctx, prefix+strings.TrimSuffix(strings.Repeat(one+",", len(rows)), ","), args...)
		var me *mysql.MySQLError
		switch {
		case err == nil:
			first, err := res.LastInsertId()
			if err != nil {
				return nil, err
			}
			for i := range rows {
				rows[i].target = uint64(first) + uint64(i)*m.idStep
			}
			return rows, nil
		case !errors.As(err, &me) || !refusable[me.Number]:
			return nil, err
		}
	}
	var done []pending
	for _, p := range rows {
		res, err := tx.ExecContext(ctx, prefix+one, p.vals...)
		if m.refused(err, p.id) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("#%d: %w", p.id, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		p.target = uint64(id)
		done = append(done, p)
	}
	return done, nil
}

// refused reports (and records) a database error that refuses one row.
func (m *importer) refused(err error, id int64) bool {
	var me *mysql.MySQLError
	if err == nil || !errors.As(err, &me) || !refusable[me.Number] {
		return false
	}
	m.cur.refuse(id, "the database refused it: "+me.Message)
	return true
}

// read returns the next page of a table after id after.
func (m *importer) read(ctx context.Context, t *table, after int64) ([]row, error) {
	rows, err := m.src.QueryContext(ctx, t.query, after, m.o.BatchSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	idx := make(map[string]int, len(cols))
	for i, c := range cols {
		idx[c] = i
	}
	var out []row
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, row{idx: idx, vals: vals})
	}
	return out, rows.Err()
}

// waitLag pauses while the replicas lag more than MaxReplicaLag, so the
// import never outruns replication (readers of a lagging replica would see
// half an import, and the health checker would take it out of rotation).
func (m *importer) waitLag(ctx context.Context) error {
	if m.o.ReplicaLag == nil {
		return nil
	}
	start := time.Now()
	waited := false
	for {
		lag, err := m.o.ReplicaLag(ctx)
		if err != nil {
			return fmt.Errorf("reading replica lag: %w", err)
		}
		if lag <= m.o.MaxReplicaLag {
			if waited {
				m.report.LagWaited += time.Since(start)
			}
			return nil
		}
		if !waited {
			m.report.LagWaits++
			waited = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(m.o.LagPoll):
		}
	}
}

// targetExec runs a fix-up statement on the target.
func (m *importer) targetExec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := m.o.Target.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func quoteList(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "`" + c + "`"
	}
	return out
}

func quoteCols(cols []string) string { return strings.Join(quoteList(cols), ", ") }

func mark(set map[string]map[int64]bool, table string, id int64) {
	if set[table] == nil {
		set[table] = map[int64]bool{}
	}
	set[table][id] = true
}
