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

// week: the second mix, a teacher's real week through the frontend's calls:
// each day the dashboard, the timetable and a subject's lessons are read and
// the day's lessons ticked; once a week a scheme of work is generated for the
// subject, lesson plans are generated from it, the scheme's PDF downloaded
// and the lesson plans listed. Every endpoint gets its own p50/p99.
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
		if err := b.payForWeek(ctx, db); err != nil {
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
	url    string
	client http.Client
	mu     sync.Mutex
	lat    map[string][]time.Duration
	errs   map[string]map[string]int64
	out    io.Writer
	noted  int
}

type weekUser struct {
	token   string
	subject uint64
	lessons []uint64
	next    int // the next lesson to tick
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

// newUser registers and signs a teacher in and gives them a subject of
// 3 strands × 3 sub-strands × 4 lessons.
func (w *weekRun) newUser(ctx context.Context, i int) (*weekUser, error) {
	email := fmt.Sprintf("week-%d-%d@bench.example", time.Now().UnixNano(), i)
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
// its documents off paper, and the week is that of a teacher who prints.
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
	time.Sleep(time.Second) // the replicas have it before the week begins
	return nil
}
