// Package loadgen drives the real HTTP API like a population of teachers:
// each virtual user registers, signs in, creates subjects with a curriculum
// tree, then loops over a mix of reads and writes, checking after every write
// that the read which follows shows it (read-your-writes).
package loadgen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Operations of the mix. Reads are served by replicas when the API can;
// writes always go to the primary.
const (
	OpListSubjects = "list_subjects"
	OpGetSubject   = "get_subject"
	OpGetLessons   = "get_lessons"
	OpDashboard    = "dashboard"

	OpCreateSubject = "create_subject"
	OpPatchSubject  = "patch_subject"
	OpDeleteSubject = "delete_subject"
	OpComplete      = "complete_lesson"
	OpUncomplete    = "uncomplete_lesson"

	// OpVerify is the read that follows each write to check it is visible.
	OpVerify = "verify_read"
)

var readOps = []string{OpListSubjects, OpGetSubject, OpGetLessons, OpDashboard}
var writeOps = []string{OpCreateSubject, OpPatchSubject, OpDeleteSubject, OpComplete, OpUncomplete}

// IsWrite reports whether op is one of the mix's writes.
func IsWrite(op string) bool { return slices.Contains(writeOps, op) }

// Mix is a weighted choice of operations.
type Mix struct {
	ops     []string
	cum     []float64
	total   float64
	written string
}

// ParseMix reads a mix: "80/20" (reads/writes in percent, split evenly over
// the read and write operations), "default" (80/20), or weights by name such
// as "get_subject=1" (GET-by-id alone) or "get_subject=3,patch_subject=1".
func ParseMix(s string) (*Mix, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "default" {
		s = "80/20"
	}
	m := &Mix{written: s}
	if r, w, ok := strings.Cut(s, "/"); ok && !strings.Contains(s, "=") {
		rp, err1 := strconv.ParseFloat(r, 64)
		wp, err2 := strconv.ParseFloat(w, 64)
		if err1 != nil || err2 != nil || rp < 0 || wp < 0 || rp+wp <= 0 {
			return nil, fmt.Errorf("mix %q: want reads/writes in percent, e.g. 80/20", s)
		}
		for _, op := range readOps {
			m.add(op, rp/float64(len(readOps)))
		}
		for _, op := range writeOps {
			m.add(op, wp/float64(len(writeOps)))
		}
		return m, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, weight, ok := strings.Cut(strings.TrimSpace(part), "=")
		w, err := strconv.ParseFloat(weight, 64)
		if !ok || err != nil || w < 0 {
			return nil, fmt.Errorf("mix %q: %q is not op=weight", s, part)
		}
		if !slices.Contains(readOps, name) && !slices.Contains(writeOps, name) {
			return nil, fmt.Errorf("mix %q: unknown operation %q (known: %s, %s)", s, name,
				strings.Join(readOps, ", "), strings.Join(writeOps, ", "))
		}
		m.add(name, w)
	}
	if m.total <= 0 {
		return nil, fmt.Errorf("mix %q: weights add up to zero", s)
	}
	return m, nil
}

func (m *Mix) add(op string, w float64) {
	if w <= 0 {
		return
	}
	m.total += w
	m.ops = append(m.ops, op)
	m.cum = append(m.cum, m.total)
}

// String is the mix as it was written.
func (m *Mix) String() string { return m.written }

// pick draws one operation.
func (m *Mix) pick(r *rand.Rand) string {
	x := r.Float64() * m.total
	i, _ := slices.BinarySearch(m.cum, x)
	if i >= len(m.ops) {
		i = len(m.ops) - 1
	}
	return m.ops[i]
}

// HasWrites reports whether the mix contains any write.
func (m *Mix) HasWrites() bool {
	return slices.ContainsFunc(m.ops, IsWrite)
}
