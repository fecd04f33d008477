package legacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// verify re-reads every imported source row (same snapshot), maps it again
// and compares it with the target row it became: per table the counts and
// the checksums of both sides, and the rows that differ.
func (m *importer) verify(ctx context.Context) error {
	m.verifying = true
	defer func() { m.verifying = false }()
	for _, t := range tables {
		if !m.present[t.source] {
			continue
		}
		rep := m.report.Table(t.source)
		m.cur, m.curSource = &TableReport{}, t.source // refusals seen again are not reported twice
		v, err := m.verifyTable(ctx, t)
		if err != nil {
			return fmt.Errorf("%s: %w", t.source, err)
		}
		rep.Verify = v
	}
	return nil
}

type expected struct {
	digest string
	json   []bool // which columns hold JSON (compared normalised)
}

func (m *importer) verifyTable(ctx context.Context, t *table) (*Verification, error) {
	v := &Verification{}
	var srcSum, tgtSum sum
	sel := make([]string, len(t.cols))
	for i, c := range t.cols {
		sel[i] = "CAST(`" + c + "` AS CHAR)"
	}
	var after int64
	for {
		batch, err := m.read(ctx, t, after)
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			break
		}
		want := map[uint64]expected{}
		for _, r := range batch {
			after, m.curID = r.id(), r.id()
			target, ok := m.ids[t.source][r.id()]
			if !ok || m.adopted[t.source][r.id()] {
				continue
			}
			vals, err := t.mapRow(m, r)
			var ref *refusal
			var sk *skipping
			if errors.As(err, &ref) || errors.As(err, &sk) {
				continue
			}
			if err != nil {
				return nil, err
			}
			e := expected{digest: digestOf(vals), json: make([]bool, len(vals))}
			for i, x := range vals {
				_, e.json[i] = x.(jsonText)
			}
			want[target] = e
			srcSum.add(e.digest)
			v.SourceRows++
		}
		if len(want) == 0 {
			continue
		}
		args := make([]any, 0, len(want))
		for id := range want {
			args = append(args, id)
		}
		q := fmt.Sprintf("SELECT id, %s FROM %s WHERE id IN (?%s)", strings.Join(sel, ", "), t.target,
			strings.Repeat(",?", len(args)-1))
		if err := m.readTargetRows(ctx, q, args, len(t.cols), func(id uint64, vals []sql.NullString) {
			e := want[id]
			cs, nulls := make([]string, len(vals)), make([]bool, len(vals))
			for i, x := range vals {
				cs[i], nulls[i] = x.String, !x.Valid
				if x.Valid && e.json[i] {
					cs[i] = normJSON(x.String)
				}
			}
			d := digest(cs, nulls)
			tgtSum.add(d)
			v.TargetRows++
			if d != e.digest {
				v.Differ++
			}
		}); err != nil {
			return nil, err
		}
	}
	v.SourceSum, v.TargetSum = srcSum.String(), tgtSum.String()
	return v, nil
}

func (m *importer) readTargetRows(ctx context.Context, q string, args []any, n int, each func(uint64, []sql.NullString)) error {
	rows, err := m.o.Target.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id uint64
		vals := make([]sql.NullString, n)
		ptrs := []any{&id}
		for i := range vals {
			ptrs = append(ptrs, &vals[i])
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		each(id, vals)
	}
	return rows.Err()
}
