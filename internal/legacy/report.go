package legacy

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is what an import did (or, dry, would do), table by table.
type Report struct {
	DryRun bool
	Tables []*TableReport
	// NotModelled are source tables this project has no place for.
	NotModelled []NotModelled
	// LagWaits counts the pauses for replica lag; LagWaited is their time.
	LagWaits      int
	LagWaited     time.Duration
	MaxReplicaLag time.Duration
	// ImportTook is the import without verification; Took the whole run.
	ImportTook, Took time.Duration
}

// TableReport is one source table's outcome.
type TableReport struct {
	Source, Target string
	Absent         bool // the source has no such table
	Read           int
	// Inserted, Updated and Adopted rows were written (or would be, in a
	// dry run); Unchanged rows were imported before and are the same now.
	Inserted, Updated, Adopted, Unchanged int
	// Gone are rows imported before whose target row has since been deleted.
	Gone     int
	Refused  []RowNote
	Adjusted []RowNote
	// Took is the time the table's import took (fix-ups included).
	Took time.Duration
	// Skipped counts rows left out on purpose, by why.
	Skipped map[string]int
	Verify  *Verification
}

// RowNote is one source row and what happened to it.
type RowNote struct {
	ID   int64
	What string
}

// Verification compares a table's source rows with the target rows they
// became: counts, and order-independent checksums of the values.
type Verification struct {
	SourceRows, TargetRows int
	SourceSum, TargetSum   string
	// Differ are rows whose target values are not what the source says
	// (changed in this database since they were imported).
	Differ int
}

// OK reports whether the target matches the source.
func (v *Verification) OK() bool {
	return v.SourceRows == v.TargetRows && v.SourceSum == v.TargetSum && v.Differ == 0
}

// NotModelled is a source table left out, with its row count and why.
type NotModelled struct {
	Table string
	Rows  int
	Why   string
}

func (r *Report) table(source, target string) *TableReport {
	t := &TableReport{Source: source, Target: target}
	r.Tables = append(r.Tables, t)
	return t
}

// Table returns the report of a source table (nil if none).
func (r *Report) Table(source string) *TableReport {
	for _, t := range r.Tables {
		if t.Source == source {
			return t
		}
	}
	return nil
}

func (t *TableReport) refuse(id int64, why string) { t.Refused = append(t.Refused, RowNote{id, why}) }
func (t *TableReport) skip(why string) {
	if t.Skipped == nil {
		t.Skipped = map[string]int{}
	}
	t.Skipped[why]++
}

func (t *TableReport) adjust(id int64, why string) { t.Adjusted = append(t.Adjusted, RowNote{id, why}) }

func (t *TableReport) count(k pendingKind) {
	switch k {
	case pendInsert:
		t.Inserted++
	case pendUpdate:
		t.Updated++
	case pendAdopt:
		t.Adopted++
	}
}

// Written is the rows written (or that would be).
func (r *Report) Written() (n int) {
	for _, t := range r.Tables {
		n += t.Inserted + t.Updated + t.Adopted
	}
	return n
}

// Read is the source rows read.
func (r *Report) Read() (n int) {
	for _, t := range r.Tables {
		n += t.Read
	}
	return n
}

// Refused is the count of refused rows.
func (r *Report) Refused() (n int) {
	for _, t := range r.Tables {
		n += len(t.Refused)
	}
	return n
}

// Verified reports whether every verified table matched.
func (r *Report) Verified() bool {
	for _, t := range r.Tables {
		if t.Verify != nil && !t.Verify.OK() {
			return false
		}
	}
	return true
}

// Print writes the report for an operator.
func (r *Report) Print(w io.Writer) {
	verb := "imported"
	if r.DryRun {
		verb = "would import"
		fmt.Fprintln(w, "DRY RUN: nothing was written")
	}
	fmt.Fprintf(w, "%-26s %6s %7s %7s %7s %7s %7s %7s  %s\n", "source table", "read", "insert", "update", "same", "refused", "adjust", "seconds", "→ target")
	for _, t := range r.Tables {
		if t.Absent {
			fmt.Fprintf(w, "%-26s %6s  (not in the source database)\n", t.Source, "-")
			continue
		}
		ins := t.Inserted
		extra := ""
		if t.Adopted > 0 {
			extra = fmt.Sprintf(" (%d matched to rows already there)", t.Adopted)
		}
		if t.Gone > 0 {
			extra += fmt.Sprintf(" (%d deleted here since imported: not re-created)", t.Gone)
		}
		fmt.Fprintf(w, "%-26s %6d %7d %7d %7d %7d %7d %7.2f  %s%s\n", t.Source, t.Read, ins, t.Updated, t.Unchanged,
			len(t.Refused), len(t.Adjusted), t.Took.Seconds(), t.Target, extra)
	}
	if n := r.Refused(); n > 0 {
		not := "not imported"
		if r.DryRun {
			not = "would not be imported"
		}
		fmt.Fprintf(w, "\nrefused rows (%d; %s):\n", n, not)
		for _, t := range r.Tables {
			for _, x := range t.Refused {
				fmt.Fprintf(w, "  %s #%d: %s\n", t.Source, x.ID, x.What)
			}
		}
	}
	for _, t := range r.Tables {
		for why, n := range t.Skipped {
			fmt.Fprintf(w, "  %s: %d rows skipped: %s\n", t.Source, n, why)
		}
	}
	printAdjusted(w, r)
	if len(r.NotModelled) > 0 {
		fmt.Fprintln(w, "\nnot modelled by this project (not imported):")
		for _, n := range r.NotModelled {
			fmt.Fprintf(w, "  %-24s %6d rows: %s\n", n.Table, n.Rows, n.Why)
		}
	}
	for _, s := range alwaysLeftOut {
		fmt.Fprintln(w, "  "+s)
	}
	if !r.DryRun {
		fmt.Fprintln(w, "\nverification (source rows and checksum → target rows and checksum):")
		for _, t := range r.Tables {
			if v := t.Verify; v != nil {
				state := "ok"
				if !v.OK() {
					state = fmt.Sprintf("MISMATCH (%d rows differ)", v.Differ)
				}
				fmt.Fprintf(w, "  %-26s %6d %s → %6d %s  %s\n", t.Source, v.SourceRows, v.SourceSum, v.TargetRows, v.TargetSum, state)
			}
		}
		fmt.Fprintf(w, "replica lag: paused %d times, %s in all (MAX_REPLICA_LAG %s)\n", r.LagWaits, r.LagWaited.Round(time.Millisecond), r.MaxReplicaLag)
	}
	rate := 0.0
	if s := r.ImportTook.Seconds(); s > 0 {
		rate = float64(r.Read()) / s
	}
	fmt.Fprintf(w, "%d rows read, %d %s, %d refused in %s (%.0f rows/s)", r.Read(), r.Written(), verb, r.Refused(),
		r.ImportTook.Round(time.Millisecond), rate)
	if !r.DryRun {
		fmt.Fprintf(w, "; with verification %s", r.Took.Round(time.Millisecond))
	}
	fmt.Fprintln(w)
}

// printAdjusted groups the adjustments by what was done, with the rows.
func printAdjusted(w io.Writer, r *Report) {
	first := true
	for _, t := range r.Tables {
		byWhat := map[string][]int64{}
		for _, a := range t.Adjusted {
			byWhat[a.What] = append(byWhat[a.What], a.ID)
		}
		whats := make([]string, 0, len(byWhat))
		for k := range byWhat {
			whats = append(whats, k)
		}
		sort.Strings(whats)
		for _, k := range whats {
			if first {
				fmt.Fprintln(w, "\nimported with a change (the original's data mapped to what it meant):")
				first = false
			}
			ids := byWhat[k]
			list := make([]string, 0, min(len(ids), 20))
			for i, id := range ids {
				if i == 20 {
					list = append(list, "…")
					break
				}
				list = append(list, fmt.Sprintf("#%d", id))
			}
			fmt.Fprintf(w, "  %s, %d rows: %s (%s)\n", t.Source, len(ids), k, strings.Join(list, " "))
		}
	}
}
