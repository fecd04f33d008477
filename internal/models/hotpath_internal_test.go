package models

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm/schema"
)

// TestHotPathColumns holds the hand-scanned reads (hotpath.go) to their
// models: every column GORM would read for the model is listed, in the order
// of the model's fields, and each scan destination is that field.
func TestHotPathColumns(t *testing.T) {
	var (
		u  User
		s  Session
		sj Subject
		st Strand
		ss SubStrand
		l  Lesson
	)
	for _, c := range []struct {
		name    string
		model   any // pointer to the struct dest points into
		columns string
		dest    []any
	}{
		{"users", &u, userColumns, userDest(&u)},
		{"sessions", &s, sessionColumns, sessionDest(&s)},
		{"subjects", &sj, subjectColumns, subjectDest(&sj)},
		{"strands", &st, strandColumns, strandDest(&st)},
		{"sub_strands", &ss, subStrandColumns, subStrandDest(&ss)},
		{"lessons", &l, lessonRowColumns, lessonDest(&l)},
	} {
		t.Run(c.name, func(t *testing.T) {
			sch, err := schema.Parse(c.model, &sync.Map{}, schema.NamingStrategy{})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			var fields []*schema.Field
			for _, f := range sch.Fields {
				if f.DBName != "" {
					want = append(want, f.DBName)
					fields = append(fields, f)
				}
			}
			var got []string
			for _, col := range strings.Split(c.columns, ",") {
				_, name, _ := strings.Cut(strings.TrimSpace(col), ".")
				got = append(got, strings.Trim(name, "`"))
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Fatalf("columns of %s (-listed +model):\n%s", c.name, diff)
			}
			if len(c.dest) != len(fields) {
				t.Fatalf("%d scan destinations for %d columns", len(c.dest), len(fields))
			}
			v := reflect.ValueOf(c.model).Elem()
			for i, f := range fields {
				if got, want := reflect.ValueOf(c.dest[i]).Pointer(), f.ReflectValueOf(context.Background(), v).Addr().Pointer(); got != want {
					t.Errorf("destination %d is not the field of column %s", i, f.DBName)
				}
			}
		})
	}
	t.Run("impersonator", func(t *testing.T) {
		var i impersonatorState
		dest := impersonatorDest(&i)
		v := reflect.ValueOf(&i).Elem()
		if len(dest) != v.NumField() || len(dest) != len(strings.Split(impersonatorColumns, ",")) {
			t.Fatalf("%d destinations, %d fields, columns %q", len(dest), v.NumField(), impersonatorColumns)
		}
		for k := range dest {
			if reflect.ValueOf(dest[k]).Pointer() != v.Field(k).Addr().Pointer() {
				t.Errorf("destination %d is not field %s", k, v.Type().Field(k).Name)
			}
		}
	})
}

// TestStringListScan holds StringList's fast path to json.Unmarshal's result.
func TestStringListScan(t *testing.T) {
	for _, in := range []string{
		`[]`, ` [ ] `, `["a"]`, `["explain", "apply"]`, "[\"a\",\n\t\"b\" ]", `["é ü 😀"]`, `[""]`,
		`["a\"b"]`, `["\u00e9"]`, `["a\\b"]`, "[\"a\tb\"]", `["a",]`, `["a" "b"]`, `[1]`, `["a"`, `[`, `null`, `{}`,
		`["a"] x`, "[\"\xff\"]", `["a"]]`,
	} {
		var want StringList = StringList{}
		wantErr := scanJSON([]byte(in), &want, "StringList")
		var got StringList
		gotErr := got.Scan([]byte(in))
		if (gotErr != nil) != (wantErr != nil) {
			t.Errorf("Scan(%q): error %v, want %v", in, gotErr, wantErr)
			continue
		}
		if wantErr == nil && !cmp.Equal(got, want) {
			t.Errorf("Scan(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzStringListScan: whatever the fast path accepts, json.Unmarshal reads
// the same way.
func FuzzStringListScan(f *testing.F) {
	for _, s := range []string{`[]`, `["a", "b"]`, `["a\"b"]`, " [ \"x\" ] ", `[1]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := plainStrings(b)
		if !ok {
			return
		}
		want := StringList{}
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("plainStrings accepted %q, which json.Unmarshal refuses: %v", b, err)
		}
		if !cmp.Equal(got, want) {
			t.Fatalf("plainStrings(%q) = %q, json.Unmarshal %q", b, got, want)
		}
	})
}
