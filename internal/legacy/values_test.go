package legacy

import (
	"strings"
	"testing"
	"time"
)

func TestValueRules(t *testing.T) {
	for _, c := range []struct{ in, want string }{{"8:00", "08:00"}, {"08:00:00", "08:00"}, {" 16:30 ", "16:30"}, {"25:00", ""}, {"8:0", ""}, {"noon", ""}} {
		if got, _ := clockText(c.in); got != c.want {
			t.Errorf("clockText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		ref, desc, plan, period string
		ok                      bool
	}{
		{"INDIVIDUAL_BASIC", "", "INDIVIDUAL_BASIC", "TERMLY", true},
		{"individual_premium", "", "INDIVIDUAL_PREMIUM", "YEARLY", true},
		{"", "Yearly Saver Subscription", "INDIVIDUAL_PREMIUM", "YEARLY", true},
		{"", "Termly Pass", "INDIVIDUAL_BASIC", "TERMLY", true},
		{"??", "Gift", "", "", false},
	} {
		plan, period, ok := planOf(c.ref, c.desc)
		if plan != c.plan || period != c.period || ok != c.ok {
			t.Errorf("planOf(%q, %q) = %s %s %v", c.ref, c.desc, plan, period, ok)
		}
	}
	for _, c := range []struct {
		url, fileType, ext string
	}{
		{"https://x/notes/a.PDF", "", "pdf"}, {"https://x/a", "image/png", "png"}, {"/uploads/b.docx", "application/octet-stream", "docx"},
		{"https://x/a.jpeg", "", "jpg"}, {"https://x/a", "docx", "docx"}, {"https://x/a", "video/mp4", ""},
	} {
		if k, _ := noteKind(c.url, c.fileType); k.Ext != c.ext {
			t.Errorf("noteKind(%q, %q) = %q, want %q", c.url, c.fileType, k.Ext, c.ext)
		}
	}
	if !bcryptHash("$2b$12$"+strings.Repeat("a", 53)) || bcryptHash("pbkdf2:sha256:1$a$b") {
		t.Error("bcryptHash tells $2b$ hashes from others")
	}
	// The digest reads values as the database gives them back.
	at := time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)
	a := digestOf([]any{int64(3), "x", true, at, jsonText(`{"b": 1, "a": [1, 2]}`), nil, dateText("2025-01-06")})
	b := digest([]string{"3", "x", "1", "2025-01-06 08:00:00.000000", normJSON(`{"a":[1,2],"b":1}`), "", "2025-01-06"},
		[]bool{false, false, false, false, false, true, false})
	if a != b {
		t.Error("a row's digest differs from the digest of the same row read back")
	}
	if digestOf([]any{""}) == digestOf([]any{nil}) {
		t.Error("NULL and the empty string have one digest")
	}
}
