package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/teachtrack/api/bench/loadgen"
)

// weekUsers is how many teachers live their week at once in the week mix.
const weekUsers = 8

// weekAdminPause is how often the week's super admin refreshes the analytics.
const weekAdminPause = 250 * time.Millisecond

// week: the second mix, a teacher's real week through the frontend's calls:
// each day the dashboard, the timetable and a subject's lessons are read and
// the day's lessons ticked; on Mondays the curriculum catalogue is browsed
// and a subject picked from it (dropped again on Thursday); once a week a
// scheme of work is generated for the subject, lesson plans are generated
// from it, the scheme's PDF downloaded and the lesson plans listed. Beside
// the teachers a super admin keeps the analytics dashboard open (stats,
// analytics and trends, refreshed every weekAdminPause). Every endpoint gets
// its own p50/p99.
func (b *bench) week(ctx context.Context) error {
	return b.withAPI(ctx, "week", 2, "causal", func(api *server, db string) error {
		run := &weekRun{url: api.url, out: b.out, lat: map[string][]time.Duration{}, errs: map[string]map[string]int64{}}
		users := make([]*weekUser, weekUsers)
		for i := range users {
			u, err := run.newUser(ctx, i)
			if err != nil {
				return fmt.Errorf("week setup: %w", err)
			}
			users[i] = u
		}
		admin, err := run.register(ctx, "admin")
		if err != nil {
			return fmt.Errorf("week setup: %w", err)
		}
		if err := b.payForWeek(ctx, db); err != nil {
			return fmt.Errorf("week setup: %w", err)
		}
		if err := run.publishTemplate(ctx, admin); err != nil {
			return fmt.Errorf("week setup: %w", err)
		}
		run.lat, run.errs = map[string][]time.Duration{}, map[string]map[string]int64{} // setup isn't measured
		wctx, cancel := context.WithTimeout(ctx, b.dur)
		defer cancel()
		start := time.Now()
		var wg sync.WaitGroup
		for _, u := range users {
			wg.Go(func() {
				for day := 0; wctx.Err() == nil; day++ {
					run.day(wctx, u, day)
				}
			})
		}
		wg.Go(func() {
			for wctx.Err() == nil {
				run.adminDashboard(wctx, admin)
				select {
				case <-wctx.Done():
				case <-time.After(weekAdminPause):
				}
			}
		})
		wg.Wait()
		secs := time.Since(start).Seconds()
		res := run.result(secs)
		res.Label, res.Target, res.Users, res.Mix = "week/teacher-week", api.url, weekUsers, "week"
		fmt.Fprintf(b.out, "  week/teacher-week: %.0f req/s, p99 %.1f ms, errors %d %v\n", res.RPS, res.All.P99ms, res.All.Errors, res.Errors)
		b.runs = append(b.runs, &runResult{Scenario: "week", Name: "teacher-week", Result: res})
		return nil
	})
}

// weekRun gathers every teacher's calls, by endpoint ("GET /schemes/{id}/pdf").
type weekRun struct {
	url      string
	template uint64 // the curriculum template teachers pick from
	client   http.Client
	mu       sync.Mutex
	lat      map[string][]time.Duration
	errs     map[string]map[string]int64
	out      io.Writer
	noted    int
}

type weekUser struct {
	token   string
	subject uint64
	lessons []uint64
	next    int    // the next lesson to tick
	picked  uint64 // the subject picked from the catalogue this week (0: none)
}

// call sends one request, records it under endpoint and decodes a 2xx body into out.
func (w *weekRun) call(ctx context.Context, u *weekUser, endpoint, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.url+"/api/v1"+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if u != nil && u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	t0 := time.Now()
	res, err := w.client.Do(req)
	status := "net"
	var data []byte
	if err == nil {
		data, err = io.ReadAll(res.Body)
		res.Body.Close()
		status = fmt.Sprint(res.StatusCode)
	}
	d := time.Since(t0)
	if ctx.Err() != nil {
		return ctx.Err() // the run ended mid-request: not counted
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil || res.StatusCode >= 300 {
		if w.errs[endpoint] == nil {
			w.errs[endpoint] = map[string]int64{}
		}
		w.errs[endpoint][status]++
		return fmt.Errorf("%s %s: %s %s", method, path, status, strings.TrimSpace(string(data)))
	}
	w.lat[endpoint] = append(w.lat[endpoint], d)
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// register registers and signs in a user of the week (a teacher, or the
// admin that payForWeek makes a super admin).
func (w *weekRun) register(ctx context.Context, who string) (*weekUser, error) {
	email := fmt.Sprintf("week-%s-%d@bench.example", who, time.Now().UnixNano())
	u := &weekUser{}
	if err := w.call(ctx, nil, "setup", "POST", "/auth/register", map[string]any{"email": email, "password": "week-password-1", "full_name": "Week Teacher"}, nil); err != nil {
		return nil, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := w.call(ctx, nil, "setup", "POST", "/auth/login", map[string]any{"email": email, "password": "week-password-1"}, &tok); err != nil {
		return nil, err
	}
	u.token = tok.AccessToken
	return u, nil
}

// newUser registers and signs a teacher in and gives them a subject of
// 3 strands × 3 sub-strands × 4 lessons.
func (w *weekRun) newUser(ctx context.Context, i int) (*weekUser, error) {
	u, err := w.register(ctx, fmt.Sprint(i))
	if err != nil {
		return nil, err
	}
	var strands []map[string]any
	for s := range 3 {
		var subs []map[string]any
		for ss := range 3 {
			var lessons []map[string]any
			for l := range 4 {
				lessons = append(lessons, map[string]any{"lesson_title": fmt.Sprintf("Lesson %d.%d.%d", s+1, ss+1, l+1)})
			}
			subs = append(subs, map[string]any{"substrand_code": fmt.Sprintf("%d.%d", s+1, ss+1), "substrand_name": fmt.Sprintf("Sub-strand %d.%d", s+1, ss+1),
				"specific_learning_outcomes": []string{"outcome"}, "lessons": lessons})
		}
		strands = append(strands, map[string]any{"strand_code": fmt.Sprint(s + 1), "strand_name": fmt.Sprintf("Strand %d", s+1), "sub_strands": subs})
	}
	var sub struct {
		ID uint64 `json:"id"`
	}
	if err := w.call(ctx, u, "setup", "POST", "/subjects", map[string]any{"subject_name": "Mathematics", "grade": "Grade 4", "strands": strands}, &sub); err != nil {
		return nil, err
	}
	u.subject = sub.ID
	var ls struct {
		Lessons []struct {
			ID uint64 `json:"id"`
		} `json:"lessons"`
	}
	if err := w.call(ctx, u, "setup", "GET", fmt.Sprintf("/subjects/%d/lessons", u.subject), nil, &ls); err != nil {
		return nil, err
	}
	for _, l := range ls.Lessons {
		u.lessons = append(u.lessons, l.ID)
	}
	return u, nil
}

// day is one school day of u; the fifth day of each week adds the weekly
// planning (scheme, lesson plans, PDF).
func (w *weekRun) day(ctx context.Context, u *weekUser, day int) {
	subj := fmt.Sprintf("/subjects/%d", u.subject)
	_ = w.call(ctx, u, "GET /dashboard/stats", "GET", "/dashboard/stats", nil, nil)
	_ = w.call(ctx, u, "GET /dashboard/curriculum-progress", "GET", "/dashboard/curriculum-progress", nil, nil)
	_ = w.call(ctx, u, "GET /timetable/entries", "GET", "/timetable/entries", nil, nil)
	_ = w.call(ctx, u, "GET /subjects/{id}/lessons", "GET", subj+"/lessons", nil, nil)
	if len(u.lessons) > 0 {
		action := "complete"
		if (u.next/len(u.lessons))%2 == 1 {
			action = "uncomplete" // a new term: the ticks are taken back, one a day
		}
		id := u.lessons[u.next%len(u.lessons)]
		u.next++
		w.note(w.call(ctx, u, "POST /lessons/{id}/"+action, "POST", fmt.Sprintf("/lessons/%d/%s", id, action), map[string]any{}, nil))
	}
	switch day % 5 {
	case 0:
		w.pick(ctx, u)
	case 3:
		if u.picked != 0 {
			w.note(w.call(ctx, u, "DELETE /subjects/{id}", "DELETE", fmt.Sprintf("/subjects/%d", u.picked), nil, nil))
			u.picked = 0
		}
	}
	if day%5 != 4 {
		return
	}
	var scheme struct {
		ID uint64 `json:"id"`
	}
	if err := w.call(ctx, u, "POST /schemes/generate", "POST", "/schemes/generate",
		map[string]any{"subject_id": u.subject, "teacher_name": "Week Teacher", "school": "Bench Primary", "term": "Term 2", "year": 2026,
			"subject": "Mathematics", "grade": "Grade 4", "lesson_duration_minutes": 35, "total_weeks": 8, "lessons_per_week": 5}, &scheme); err != nil || scheme.ID == 0 {
		w.note(err)
		return
	}
	sch := fmt.Sprintf("/schemes/%d", scheme.ID)
	w.note(w.call(ctx, u, "POST /schemes/{id}/generate-lesson-plans", "POST", sch+"/generate-lesson-plans", map[string]any{}, nil))
	w.note(w.call(ctx, u, "GET /schemes/{id}/pdf", "GET", sch+"/pdf", nil, nil))
	w.note(w.call(ctx, u, "GET /lesson-plans", "GET", "/lesson-plans", nil, nil))
	// Last week's scheme goes, as a teacher replaces it: the data stay the size of one term.
	w.note(w.call(ctx, u, "DELETE /schemes/{id}", "DELETE", sch, nil, nil))
}

// pick browses the curriculum catalogue for the teacher's grade and adds the
// template's subject, as the curriculum page's "use" does.
func (w *weekRun) pick(ctx context.Context, u *weekUser) {
	w.note(w.call(ctx, u, "GET /curriculum-templates", "GET", "/curriculum-templates?grade=Grade%204", nil, nil))
	var res struct {
		Results struct {
			Success []struct {
				SubjectID uint64 `json:"subject_id"`
			} `json:"success"`
		} `json:"results"`
	}
	err := w.call(ctx, u, "POST /curriculum-templates/bulk-use", "POST", "/curriculum-templates/bulk-use", map[string]any{"template_ids": []uint64{w.template}}, &res)
	if err == nil && len(res.Results.Success) != 1 {
		err = fmt.Errorf("bulk-use added %d subjects, want 1", len(res.Results.Success))
	}
	if err != nil {
		w.note(err)
		return
	}
	u.picked = res.Results.Success[0].SubjectID
}

// adminDashboard is one look at the super admin's analytics pages.
func (w *weekRun) adminDashboard(ctx context.Context, admin *weekUser) {
	for _, path := range []string{"/admin/stats", "/admin/analytics", "/admin/analytics/trends"} {
		w.note(w.call(ctx, admin, "GET "+path, "GET", path, nil, nil))
	}
}

// publishTemplate has the admin publish the curriculum template the teachers
// pick from: Science, Grade 4, 3 strands × 2 sub-strands × 4 lessons.
func (w *weekRun) publishTemplate(ctx context.Context, admin *weekUser) error {
	var strands []map[string]any
	for s := range 3 {
		var subs []map[string]any
		for ss := range 2 {
			subs = append(subs, map[string]any{"substrand_number": fmt.Sprintf("%d.%d", s+1, ss+1), "substrand_name": fmt.Sprintf("Topic %d.%d", s+1, ss+1),
				"number_of_lessons": 4, "specific_learning_outcomes": []string{"describe", "investigate"}, "core_competencies": []string{"Critical thinking"}})
		}
		strands = append(strands, map[string]any{"strand_number": fmt.Sprint(s + 1), "strand_name": fmt.Sprintf("Strand %d", s+1), "substrands": subs})
	}
	var t struct {
		ID uint64 `json:"id"`
	}
	if err := w.call(ctx, admin, "setup", "POST", "/admin/curriculum-templates", map[string]any{"subject": "Science", "grade": "Grade 4", "strands": strands}, &t); err != nil {
		return err
	}
	if t.ID == 0 {
		return errors.New("creating the curriculum template: no id in the answer")
	}
	w.template = t.ID
	return nil
}

// note prints the first few failures, so a broken call is seen at once.
func (w *weekRun) note(err error) {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.noted < 5 {
		w.noted++
		fmt.Fprintln(w.out, "  week:", err)
	}
}

// result is the run as a loadgen.Result: All over every call, Ops by endpoint.
func (w *weekRun) result(secs float64) *loadgen.Result {
	res := &loadgen.Result{DurationS: secs, Ops: map[string]loadgen.OpStats{}, Errors: map[string]int64{}, ReplicaReadShare: -1}
	var all []time.Duration
	var errs int64
	names := make([]string, 0, len(w.lat))
	for n := range w.lat {
		names = append(names, n)
	}
	for n := range w.errs {
		if _, ok := w.lat[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		var e int64
		for st, c := range w.errs[n] {
			e += c
			res.Errors[st] += c
		}
		errs += e
		all = append(all, w.lat[n]...)
		res.Ops[n] = opStats(append([]time.Duration(nil), w.lat[n]...), e, secs)
	}
	res.Requests = int64(len(all))
	res.RPS = float64(len(all)) / secs
	res.All = opStats(all, errs, secs)
	return res
}

// payForWeek puts the week's teachers on the Yearly plan, in database db on
// the primary: the plans table keeps a free trial's schemes to one week and
// its documents off paper, and the week is that of a teacher who prints. The
// week's admin becomes a super admin.
func (b *bench) payForWeek(ctx context.Context, db string) error {
	conn, err := b.appDB(db)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `UPDATE users SET subscription_type = 'INDIVIDUAL_PREMIUM', subscription_status = 'ACTIVE',
		subscription_expires_at = NOW() + INTERVAL 1 YEAR WHERE email LIKE 'week-%@bench.example'`)
	if err != nil {
		return fmt.Errorf("upgrading the week's teachers: %w", err)
	}
	if _, err = conn.ExecContext(ctx, `UPDATE users SET role = 'SUPER_ADMIN' WHERE email LIKE 'week-admin-%@bench.example'`); err != nil {
		return fmt.Errorf("making the week's admin: %w", err)
	}
	time.Sleep(time.Second) // the replicas have it before the week begins
	return nil
}
