package loadgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// vu is one virtual user: a teacher with an account, a token and subjects.
// Only this user writes to its subjects, so it knows what every read must show.
type vu struct {
	g     *gen
	ctx   context.Context
	id    int
	base  string
	token string
	rng   *rand.Rand
	rec   *recorder
	seq   int

	subjects []*subject
}

type subject struct {
	id             uint64
	lessonsPerWeek int
	lessons        []lesson
}

type lesson struct {
	id   uint64
	done bool
}

type subjectJSON struct {
	ID             uint64 `json:"id"`
	LessonsPerWeek int    `json:"lessons_per_week"`
}

type lessonsJSON struct {
	TotalLessons     int `json:"total_lessons"`
	CompletedLessons int `json:"completed_lessons"`
	Lessons          []struct {
		ID          uint64 `json:"id"`
		IsCompleted bool   `json:"is_completed"`
	} `json:"lessons"`
}

// setup registers and signs the user in at the setup URL, then creates its
// first subjects at the target.
func (v *vu) setup(setupURL string, subjects int) error {
	email := fmt.Sprintf("lg-%s-%d@bench.example.com", v.g.runID, v.id)
	const password = "bench-password-123"
	base := v.base
	v.base = setupURL
	defer func() { v.base = base }()
	reg := map[string]any{"email": email, "password": password, "full_name": fmt.Sprintf("Bench Teacher %d", v.id)}
	if _, err := v.call("setup_register", http.MethodPost, "/api/v1/auth/register", reg, nil, http.StatusCreated, http.StatusConflict); err != nil {
		return err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if _, err := v.call("setup_login", http.MethodPost, "/api/v1/auth/login",
		map[string]any{"email": email, "password": password}, &tok, http.StatusOK); err != nil {
		return err
	}
	if tok.AccessToken == "" {
		return fmt.Errorf("login of %s returned no access_token", email)
	}
	v.token = tok.AccessToken
	v.base = base
	for range subjects {
		if err := v.createSubject("setup_create_subject", true); err != nil {
			return err
		}
	}
	return nil
}

// step runs one operation of the mix.
func (v *vu) step(op string) {
	if len(v.subjects) == 0 && op != OpListSubjects && op != OpDashboard {
		op = OpCreateSubject
	}
	switch op {
	case OpListSubjects:
		var list []subjectJSON
		_, _ = v.call(op, http.MethodGet, "/api/v1/subjects", nil, &list, http.StatusOK)
	case OpGetSubject:
		_, _ = v.call(op, http.MethodGet, v.subjectPath(v.anySubject()), nil, nil, http.StatusOK)
	case OpGetLessons:
		_, _ = v.call(op, http.MethodGet, v.subjectPath(v.anySubject())+"/lessons", nil, nil, http.StatusOK)
	case OpDashboard:
		_, _ = v.call(op, http.MethodGet, "/api/v1/dashboard/curriculum-progress", nil, nil, http.StatusOK)
	case OpCreateSubject:
		if len(v.subjects) >= v.g.opts.MaxSubjects {
			v.deleteSubject()
			return
		}
		_ = v.createSubject(op, false)
	case OpDeleteSubject:
		if len(v.subjects) <= 1 {
			_ = v.createSubject(OpCreateSubject, false)
			return
		}
		v.deleteSubject()
	case OpPatchSubject:
		v.patchSubject()
	case OpComplete:
		v.setCompleted(true)
	case OpUncomplete:
		v.setCompleted(false)
	}
}

func (v *vu) anySubject() *subject { return v.subjects[v.rng.IntN(len(v.subjects))] }

func (v *vu) subjectPath(s *subject) string {
	return "/api/v1/subjects/" + strconv.FormatUint(s.id, 10)
}

// createSubject posts a subject with its whole tree; the read that follows
// (its lessons) must find it, and tells the user its lesson ids.
func (v *vu) createSubject(op string, setup bool) error {
	v.seq++
	body := map[string]any{
		"subject_name": fmt.Sprintf("Subject %d-%d", v.id, v.seq),
		"grade":        fmt.Sprintf("Grade %d", 1+v.seq%9),
		"strands":      curriculum(v.g.opts.Strands, v.g.opts.SubStrands, v.g.opts.Lessons),
	}
	var created subjectJSON
	if _, err := v.call(op, http.MethodPost, "/api/v1/subjects", body, &created, http.StatusCreated); err != nil {
		return err
	}
	s := &subject{id: created.ID, lessonsPerWeek: created.LessonsPerWeek}
	v.subjects = append(v.subjects, s)
	var got lessonsJSON
	if setup {
		// A server without read-your-writes (the reference) may not show the
		// new subject yet: setup waits for it rather than counting anything.
		return v.awaitLessons(s)
	}
	status, err := v.verify(v.subjectPath(s)+"/lessons", &got, http.StatusOK, http.StatusNotFound)
	switch {
	case err != nil:
		return err
	case status == http.StatusNotFound:
		v.stale("created subject %d not found", s.id)
	default:
		for _, l := range got.Lessons {
			s.lessons = append(s.lessons, lesson{id: l.ID, done: l.IsCompleted})
		}
	}
	return nil
}

// awaitLessons polls a new subject's lessons until they show (up to 10s).
func (v *vu) awaitLessons(s *subject) error {
	var err error
	for range 100 {
		var got lessonsJSON
		var status int
		status, err = v.call("setup_read", http.MethodGet, v.subjectPath(s)+"/lessons", nil, &got,
			http.StatusOK, http.StatusNotFound, http.StatusUnauthorized, http.StatusInternalServerError, http.StatusServiceUnavailable)
		if err == nil && status == http.StatusOK {
			for _, l := range got.Lessons {
				s.lessons = append(s.lessons, lesson{id: l.ID, done: l.IsCompleted})
			}
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("subject %d did not show up in 10s: %v", s.id, err)
}

func (v *vu) deleteSubject() {
	i := v.rng.IntN(len(v.subjects))
	s := v.subjects[i]
	if _, err := v.call(OpDeleteSubject, http.MethodDelete, v.subjectPath(s), nil, nil, http.StatusNoContent); err != nil {
		return
	}
	v.subjects = append(v.subjects[:i], v.subjects[i+1:]...)
	if status, err := v.verify(v.subjectPath(s), nil, http.StatusOK, http.StatusNotFound); err == nil && status == http.StatusOK {
		v.stale("deleted subject %d still found", s.id)
	}
}

func (v *vu) patchSubject() {
	s := v.anySubject()
	n := 1 + (s.lessonsPerWeek+v.rng.IntN(38))%40
	if n == s.lessonsPerWeek {
		n = n%40 + 1
	}
	if _, err := v.call(OpPatchSubject, http.MethodPatch, v.subjectPath(s), map[string]any{"lessons_per_week": n}, nil, http.StatusOK); err != nil {
		return
	}
	s.lessonsPerWeek = n
	var got subjectJSON
	if _, err := v.verify(v.subjectPath(s), &got, http.StatusOK); err == nil && got.LessonsPerWeek != n {
		v.stale("subject %d shows lessons_per_week %d after patching it to %d", s.id, got.LessonsPerWeek, n)
	}
}

// setCompleted completes (or uncompletes) one lesson that isn't already; with
// none left it does the opposite, so the mix keeps writing.
func (v *vu) setCompleted(done bool) {
	s := v.anySubject()
	var candidates []int
	for i, l := range s.lessons {
		if l.done != done {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) == 0 {
		if len(s.lessons) == 0 {
			v.patchSubject()
			return
		}
		done = !done
		for i := range s.lessons {
			candidates = append(candidates, i)
		}
	}
	i := candidates[v.rng.IntN(len(candidates))]
	op, action := OpComplete, "/complete"
	if !done {
		op, action = OpUncomplete, "/uncomplete"
	}
	path := "/api/v1/lessons/" + strconv.FormatUint(s.lessons[i].id, 10) + action
	if _, err := v.call(op, http.MethodPost, path, map[string]any{}, nil, http.StatusOK); err != nil {
		return
	}
	s.lessons[i].done = done
	completed := 0
	for _, l := range s.lessons {
		if l.done {
			completed++
		}
	}
	var got lessonsJSON
	if _, err := v.verify(v.subjectPath(s)+"/lessons", &got, http.StatusOK); err != nil {
		return
	}
	seen := false
	for _, l := range got.Lessons {
		if l.ID == s.lessons[i].id {
			seen = l.IsCompleted == done
		}
	}
	if !seen || got.CompletedLessons != completed {
		v.stale("lesson %d: is_completed not %v, or completed_lessons %d, want %d", s.lessons[i].id, done, got.CompletedLessons, completed)
	}
}

// verify is the read that follows a write; it counts as a check.
func (v *vu) verify(path string, out any, want ...int) (int, error) {
	v.g.checks.Add(1)
	return v.call(OpVerify, http.MethodGet, path, nil, out, want...)
}

func (v *vu) stale(format string, args ...any) {
	if v.g.stale.Add(1) <= 3 && v.g.opts.Log != nil {
		fmt.Fprintf(v.g.opts.Log, "stale read (user %d): %s\n", v.id, fmt.Sprintf(format, args...))
	}
}

// curriculum is a subject's tree: strands × sub-strands × lessons.
func curriculum(strands, subs, lessons int) []map[string]any {
	out := make([]map[string]any, 0, strands)
	for i := range strands {
		ss := make([]map[string]any, 0, subs)
		for j := range subs {
			ls := make([]map[string]any, 0, lessons)
			for k := range lessons {
				ls = append(ls, map[string]any{"lesson_title": fmt.Sprintf("Lesson %d.%d.%d", i+1, j+1, k+1), "duration_minutes": 40})
			}
			ss = append(ss, map[string]any{
				"substrand_code": fmt.Sprintf("%d.%d", i+1, j+1), "substrand_name": fmt.Sprintf("Sub-strand %d.%d", i+1, j+1),
				"specific_learning_outcomes": []string{"explain", "apply"}, "lessons": ls,
			})
		}
		out = append(out, map[string]any{"strand_code": strconv.Itoa(i + 1), "strand_name": fmt.Sprintf("Strand %d", i+1), "sub_strands": ss})
	}
	return out
}
