package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/teachtrack/api/internal/auth"
)

// `bench analytics` (make bench-analytics): the cost of the analytics and
// dashboard reads (issue 20) on a large data set: 1,000 schools, 10,000
// teachers, 50,000 subjects and 1,000,000 progress rows, seeded in a few
// INSERT … SELECT statements over MariaDB's sequence tables (seq_1_to_N), not
// row by row. It then measures p50/p99 per endpoint over sequential requests,
// and EXPLAINs every statement those requests ran on the replicas (from the
// general log), flagging full scans. Results: stdout and bench/results/analytics.md.

// Sizes of the analytics data set.
const (
	anSchools      = 1000
	anTeachers     = 10000
	anSubjectsEach = 5  // subjects per teacher: 50,000
	anProgressEach = 20 // progress rows per subject: 1,000,000
	anRequests     = 100
	anPassword     = "bench-password-1"
)

// analyticsBench seeds a fresh database on the private cluster, serves it
// with the API and measures each endpoint.
func analyticsBench(ctx context.Context, e *env, requests int) error {
	if requests <= 0 {
		requests = anRequests
	}
	db, err := e.cl.createDatabase(ctx, "ttanalytics_")
	if err != nil {
		return err
	}
	api, err := e.startAPI(ctx, "analytics", db, 2, "causal")
	if err != nil {
		return err
	}
	defer api.stop()
	admin, err := sql.Open("mysql", fmt.Sprintf("tt_admin:tt-admin-dev@tcp(127.0.0.1:%d)/%s?parseTime=true&interpolateParams=true", e.cl.ports[0], db))
	if err != nil {
		return err
	}
	defer admin.Close()
	start := time.Now()
	if err := seedAnalytics(ctx, admin, e.out); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Fprintf(e.out, "seeded in %s; waiting for the replicas…\n", time.Since(start).Round(time.Second))
	if err := waitReplicasCount(ctx, e, db, anTeachers*anSubjectsEach*anProgressEach); err != nil {
		return err
	}
	if err := generalLog(ctx, e, true); err != nil {
		return err
	}
	rows, err := measureAnalytics(ctx, api.url, requests, e.out)
	_ = generalLog(context.Background(), e, false)
	if err != nil {
		return err
	}
	plans, err := explainLogged(ctx, e, db)
	if err != nil {
		return err
	}
	return writeAnalyticsReport(e, rows, plans, requests)
}

// seedAnalytics builds the data set: every statement is set-based.
func seedAnalytics(ctx context.Context, db *sql.DB, out io.Writer) error {
	hash, err := auth.NewPasswords(4).Hash(anPassword)
	if err != nil {
		return err
	}
	steps := []struct {
		what string
		sql  string
		args []any
	}{
		{"schools", `INSERT INTO schools (name, subscription_status, max_teachers, created_at)
			SELECT CONCAT('School ', seq), ELT(1 + seq % 3, 'ACTIVE', 'INACTIVE', 'TRIAL'), 20, NOW(6) - INTERVAL seq HOUR FROM seq_1_to_1000`, nil},
		{"teachers", `INSERT INTO users (email, password_hash, full_name, role, school_id, is_active, email_verified, subscription_type, created_at)
			SELECT CONCAT('teacher', q.seq, '@bench.example'), ?, CONCAT('Teacher ', q.seq), IF(q.seq % 10 = 0, 'HOD', 'TEACHER'),
				IF(q.seq % 4 = 0, NULL, sc.id), q.seq % 50 <> 0, TRUE,
				IF(q.seq % 4 = 0, IF(q.seq % 3 = 0, 'INDIVIDUAL_PREMIUM', 'FREE'), 'SCHOOL_SPONSORED'),
				NOW(6) - INTERVAL (q.seq * 3119 % 31536000) SECOND
			FROM seq_1_to_10000 q JOIN schools sc ON sc.name = CONCAT('School ', 1 + q.seq % 1000)`, []any{hash}},
		{"school admins", `INSERT INTO users (email, password_hash, full_name, role, school_id, email_verified, created_at)
			SELECT CONCAT('admin', q.seq, '@bench.example'), ?, CONCAT('Head ', q.seq), 'SCHOOL_ADMIN', sc.id, TRUE, sc.created_at
			FROM seq_1_to_1000 q JOIN schools sc ON sc.name = CONCAT('School ', q.seq)`, []any{hash}},
		{"school admin links", `UPDATE schools sc JOIN users u ON u.email = CONCAT('admin', SUBSTRING(sc.name, 8), '@bench.example') SET sc.admin_id = u.id`, nil},
		{"super admin", `INSERT INTO users (email, password_hash, full_name, role, email_verified) VALUES ('super@bench.example', ?, 'Super', 'SUPER_ADMIN', TRUE)`, []any{hash}},
		{"subjects", `INSERT INTO subjects (user_id, subject_name, grade, total_lessons, lessons_completed, progress_percentage, created_at)
			SELECT u.id, ELT(q.seq, 'Mathematics', 'English', 'Kiswahili', 'Science', 'Social Studies'), CONCAT('Grade ', 1 + (u.id + q.seq) % 9),
				100, (u.id * 7 + q.seq * 13) % 101, (u.id * 7 + q.seq * 13) % 101, u.created_at
			FROM users u JOIN seq_1_to_5 q WHERE u.role IN ('TEACHER', 'HOD')`, nil},
		{"terms", `INSERT INTO system_terms (term_number, term_name, year, start_date, end_date, teaching_weeks, mid_term_break_start, mid_term_break_end)
			VALUES (1, 'Term 1', 2090, CURDATE() - INTERVAL 60 DAY, CURDATE() + INTERVAL 30 DAY, 12, CURDATE() + INTERVAL 5 DAY, CURDATE() + INTERVAL 8 DAY),
			       (2, 'Term 2', 2090, CURDATE() + INTERVAL 45 DAY, CURDATE() + INTERVAL 135 DAY, 12, NULL, NULL)`, nil},
	}
	// progress_log: one statement per round, each a row per subject (50,000).
	for k := 1; k <= anProgressEach; k++ {
		steps = append(steps, struct {
			what string
			sql  string
			args []any
		}{fmt.Sprintf("progress round %d", k), `INSERT INTO progress_log (user_id, subject_id, action, created_at)
			SELECT s.user_id, s.id, IF((s.id + ?) % 10 = 0, 'UNCOMPLETED', 'COMPLETED'), NOW(6) - INTERVAL ((s.id * 7919 + ? * 104729) % 31536000) SECOND
			FROM subjects s`, []any{k, k}})
	}
	for _, s := range steps {
		t0 := time.Now()
		if _, err := db.ExecContext(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
		fmt.Fprintf(out, "  %-20s %s\n", s.what, time.Since(t0).Round(time.Millisecond))
	}
	for _, t := range []string{"users", "schools", "subjects", "progress_log"} {
		if _, err := db.ExecContext(ctx, "ANALYZE TABLE "+t); err != nil {
			return err
		}
	}
	return nil
}

// waitReplicasCount waits until both replicas have every progress row.
func waitReplicasCount(ctx context.Context, e *env, db string, want int) error {
	deadline := time.Now().Add(15 * time.Minute)
	for i := 1; i <= 2; i++ {
		r, err := sql.Open("mysql", fmt.Sprintf("tt_admin:tt-admin-dev@tcp(127.0.0.1:%d)/%s", e.cl.ports[i], db))
		if err != nil {
			return err
		}
		for {
			var n int
			if err := r.QueryRowContext(ctx, "SELECT COUNT(*) FROM progress_log").Scan(&n); err == nil && n >= want {
				break
			}
			if time.Now().After(deadline) {
				r.Close()
				return fmt.Errorf("replica %d did not catch up in 15 minutes", i)
			}
			time.Sleep(time.Second)
		}
		r.Close()
	}
	return nil
}

// generalLog turns the general log (to the mysql.general_log table) on or off
// on every node, so the statements the API ran can be EXPLAINed afterwards.
func generalLog(ctx context.Context, e *env, on bool) error {
	for _, port := range e.cl.ports {
		a, err := sql.Open("mysql", fmt.Sprintf("tt_admin:tt-admin-dev@tcp(127.0.0.1:%d)/", port))
		if err != nil {
			return err
		}
		stmts := []string{"SET GLOBAL general_log = 0"}
		if on {
			stmts = []string{"SET GLOBAL general_log = 0", "TRUNCATE TABLE mysql.general_log", "SET GLOBAL log_output = 'TABLE'", "SET GLOBAL general_log = 1"}
		}
		for _, s := range stmts {
			if _, err := a.ExecContext(ctx, s); err != nil {
				a.Close()
				return fmt.Errorf("%s on :%d: %w", s, port, err)
			}
		}
		a.Close()
	}
	return nil
}

// anEndpoint is one measured request, made as one of the seeded users.
type anEndpoint struct {
	who, path string
}

type anResult struct {
	Who      string  `json:"who"`
	Path     string  `json:"path"`
	Requests int     `json:"requests"`
	Failed   int     `json:"failed"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	Bytes    int     `json:"bytes"`
}

func measureAnalytics(ctx context.Context, base string, n int, out io.Writer) ([]anResult, error) {
	tokens := map[string]string{}
	for who, email := range map[string]string{"super admin": "super@bench.example", "school admin": "admin2@bench.example", "teacher": "teacher1@bench.example"} {
		tok, err := benchLogin(ctx, base, email)
		if err != nil {
			return nil, err
		}
		tokens[who] = tok
	}
	endpoints := []anEndpoint{
		{"super admin", "/api/v1/admin/stats"}, {"super admin", "/api/v1/admin/analytics"},
		{"super admin", "/api/v1/admin/analytics/trends"}, {"super admin", "/api/v1/admin/analytics/curriculum"},
		{"super admin", "/api/v1/admin/analytics/activity"}, {"super admin", "/api/v1/admin/analytics/health"},
		{"super admin", "/api/v1/admin/schools?sort_by=teacher_count&sort_order=desc"}, {"super admin", "/api/v1/admin/schools/2/teachers"},
		{"super admin", "/api/v1/admin/users?role=admin&page=1&limit=20"},
		{"school admin", "/api/v1/admin/analytics"}, {"school admin", "/api/v1/admin/users?page=1&limit=20"},
		{"teacher", "/api/v1/dashboard/stats"}, {"teacher", "/api/v1/dashboard/insights"},
		{"teacher", "/api/v1/dashboard/deadlines"}, {"teacher", "/api/v1/dashboard/resources"},
	}
	var res []anResult
	for _, ep := range endpoints {
		// Warm-up, not counted: the first read after seeding meets a cold
		// buffer pool and may pass DB_READ_TIMEOUT (503) on a loaded machine.
		for try := 0; try < 5; try++ {
			if _, err := benchGet(ctx, base+ep.path, tokens[ep.who]); err == nil {
				break
			}
		}
		lat := make([]time.Duration, 0, n)
		size, failed := 0, 0
		for range n {
			t0 := time.Now()
			b, err := benchGet(ctx, base+ep.path, tokens[ep.who])
			if err != nil {
				failed++ // a 503 past DB_READ_TIMEOUT counts as a failure, not a latency
				continue
			}
			lat = append(lat, time.Since(t0))
			size = len(b)
		}
		if len(lat) == 0 {
			return nil, fmt.Errorf("%s as %s: every request failed", ep.path, ep.who)
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		r := anResult{Who: ep.who, Path: ep.path, Requests: n, Failed: failed, Bytes: size,
			P50ms: ms(lat[len(lat)/2]), P99ms: ms(lat[min(len(lat)-1, len(lat)*99/100)])}
		fmt.Fprintf(out, "  %-13s %-62s p50 %7.1f ms  p99 %7.1f ms  failed %d\n", r.Who, r.Path, r.P50ms, r.P99ms, r.Failed)
		res = append(res, r)
	}
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func benchLogin(ctx context.Context, base, email string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": anPassword})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login %s: status %d %v", email, resp.StatusCode, err)
	}
	return tok.AccessToken, nil
}

func benchGet(ctx context.Context, url, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return b, err
}

// anPlan is the EXPLAIN of one statement the API ran.
type anPlan struct {
	SQL   string
	Rows  []string // one line per table: table type key rows extra
	Scans bool     // a full table scan (type ALL) of a big table
}

var literals = regexp.MustCompile(`'[^']*'|\b\d+(\.\d+)?\b`)

// explainLogged EXPLAINs, on the node that ran it, every distinct SELECT
// (literals aside) the API sent during the measurements.
func explainLogged(ctx context.Context, e *env, db string) ([]anPlan, error) {
	seen := map[string]bool{}
	var out []anPlan
	for _, port := range e.cl.ports {
		a, err := sql.Open("mysql", fmt.Sprintf("tt_admin:tt-admin-dev@tcp(127.0.0.1:%d)/%s", port, db))
		if err != nil {
			return nil, err
		}
		rows, err := a.QueryContext(ctx, `SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log
			WHERE command_type IN ('Query', 'Execute') AND (argument LIKE 'SELECT%' OR argument LIKE '(SELECT%')`)
		if err != nil {
			a.Close()
			return nil, err
		}
		var stmts []string
		for rows.Next() {
			var s string
			if rows.Scan(&s) == nil {
				stmts = append(stmts, s)
			}
		}
		rows.Close()
		for _, s := range stmts {
			key := literals.ReplaceAllString(strings.Join(strings.Fields(s), " "), "?")
			if seen[key] || strings.Contains(s, "general_log") || strings.Contains(s, "@@") || !strings.Contains(strings.ToUpper(s), "FROM") {
				continue
			}
			seen[key] = true
			p, err := explainOne(ctx, a, s)
			if err != nil {
				continue // a statement of another database (health checks)
			}
			out = append(out, p)
		}
		a.Close()
	}
	return out, nil
}

func explainOne(ctx context.Context, a *sql.DB, stmt string) (anPlan, error) {
	p := anPlan{SQL: strings.Join(strings.Fields(stmt), " ")}
	rows, err := a.QueryContext(ctx, "EXPLAIN "+stmt)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return p, err
		}
		m := map[string]string{}
		for i, c := range cols {
			m[c] = vals[i].String
		}
		p.Rows = append(p.Rows, fmt.Sprintf("%s %s key=%s rows=%s %s", m["table"], m["type"], m["key"], m["rows"], m["Extra"]))
		if n, _ := strconv.Atoi(m["rows"]); m["type"] == "ALL" && !strings.HasPrefix(m["table"], "<") && n > 1000 {
			p.Scans = true
		}
	}
	return p, rows.Err()
}

func writeAnalyticsReport(e *env, rows []anResult, plans []anPlan, n int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Analytics on a large data set (`make bench-analytics`)\n\n")
	fmt.Fprintf(&b, "%d schools, %d teachers (+ %d school admins), %d subjects, %d progress rows; API with 2 replicas; %d sequential requests per endpoint after one warm-up.\n\n",
		anSchools, anTeachers, anSchools, anTeachers*anSubjectsEach, anTeachers*anSubjectsEach*anProgressEach, n)
	b.WriteString("| as | endpoint | p50 ms | p99 ms | failed | bytes |\n|---|---|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | `%s` | %.1f | %.1f | %d | %d |\n", r.Who, r.Path, r.P50ms, r.P99ms, r.Failed, r.Bytes)
	}
	b.WriteString("\n## EXPLAIN of every statement those requests ran\n\n")
	scans := 0
	for _, p := range plans {
		mark := ""
		if p.Scans {
			mark, scans = " **full scan**", scans+1
		}
		sqlText := p.SQL
		if len(sqlText) > 300 {
			sqlText = sqlText[:300] + "…"
		}
		fmt.Fprintf(&b, "- `%s`%s\n", sqlText, mark)
		for _, r := range p.Rows {
			fmt.Fprintf(&b, "  - %s\n", r)
		}
	}
	fmt.Fprintf(e.out, "%d distinct statements explained, %d with a full scan of a table over 1,000 rows\n", len(plans), scans)
	path := filepath.Join(e.root, "bench", "results", "analytics.md")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintln(e.out, "wrote", path)
	return nil
}
