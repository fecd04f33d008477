package legacy

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// row is one source row, its columns by name.
type row struct {
	idx  map[string]int
	vals []any
}

func (r row) get(c string) any {
	i, ok := r.idx[c]
	if !ok {
		panic("legacy: no column " + c) // a table spec names a column its query lacks
	}
	return r.vals[i]
}

func (r row) null(c string) bool { return r.get(c) == nil }

// id is the row's own id.
func (r row) id() int64 { return r.i("id") }

// n returns an integer column, ok false when NULL or not a number.
func (r row) n(c string) (int64, bool) {
	switch v := r.get(c).(type) {
	case int64:
		return v, true
	case []byte:
		n, err := strconv.ParseInt(string(v), 10, 64)
		return n, err == nil
	case float64:
		return int64(v), true
	}
	return 0, false
}

// i is n with def for NULL.
func (r row) i(c string) int64 {
	n, _ := r.n(c)
	return n
}

// iOr is an integer column, def when NULL.
func (r row) iOr(c string, def int64) int64 {
	if n, ok := r.n(c); ok {
		return n
	}
	return def
}

// s is a text column, "" when NULL.
func (r row) s(c string) string {
	switch v := r.get(c).(type) {
	case []byte:
		return string(v)
	case string:
		return v
	case nil:
		return ""
	case time.Time:
		return v.Format(dateTimeLayout)
	default:
		return fmt.Sprint(v)
	}
}

// ns is a text column as a value to write: nil when NULL.
func (r row) ns(c string) any {
	if r.null(c) {
		return nil
	}
	return r.s(c)
}

// b is a boolean column, def when NULL.
func (r row) b(c string, def bool) bool {
	if n, ok := r.n(c); ok {
		return n != 0
	}
	return def
}

// t is a TIMESTAMP column, ok false when NULL (or MySQL's zero date).
func (r row) t(c string) (time.Time, bool) {
	v, ok := r.get(c).(time.Time)
	if !ok || v.IsZero() {
		return time.Time{}, false
	}
	return v.UTC(), true
}

// nt is a TIMESTAMP column as a value to write: nil when NULL.
func (r row) nt(c string) any {
	if t, ok := r.t(c); ok {
		return t
	}
	return nil
}

// jsonText is a value written to a JSON column; compared after normalising,
// since MySQL reformats the JSON it stores.
type jsonText string

// dateText is a value written to a DATE column ("2006-01-02").
type dateText string

// j is a JSON column with def ("[]", "{}") when NULL or not JSON.
func (r row) j(c, def string) jsonText {
	s := r.s(c)
	if s == "" || !json.Valid([]byte(s)) {
		return jsonText(def)
	}
	return jsonText(s)
}

const dateTimeLayout = "2006-01-02 15:04:05.000000"

// canon is how a written value reads back as CAST(col AS CHAR): the one
// form that both the digest at import time and the verification use.
func canon(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case bool:
		if x {
			return "1", true
		}
		return "0", true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case string:
		return x, true
	case jsonText:
		return normJSON(string(x)), true
	case dateText:
		return string(x), true
	case time.Time:
		return x.UTC().Format(dateTimeLayout), true
	}
	panic(fmt.Sprintf("legacy: no canonical form for %T", v))
}

// normJSON re-encodes JSON so that formatting differences don't count.
func normJSON(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// digest is the SHA-256 of a row's canonical values, NULL told apart from "".
func digest(vals []string, nulls []bool) string {
	h := sha256.New()
	var n [8]byte
	for i, v := range vals {
		if nulls[i] {
			h.Write([]byte{0})
			continue
		}
		binary.BigEndian.PutUint64(n[:], uint64(len(v)))
		h.Write([]byte{1})
		h.Write(n[:])
		h.Write([]byte(v))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digestOf is digest of values about to be written.
func digestOf(vals []any) string {
	cs, nulls := make([]string, len(vals)), make([]bool, len(vals))
	for i, v := range vals {
		s, ok := canon(v)
		cs[i], nulls[i] = s, !ok
	}
	return digest(cs, nulls)
}

// sum is an order-independent checksum of a table: the 64-bit sum of its
// rows' digests' first 8 bytes.
type sum uint64

func (s *sum) add(d string) {
	b, _ := hex.DecodeString(d[:16])
	*s += sum(binary.BigEndian.Uint64(b))
}

func (s sum) String() string { return fmt.Sprintf("%016x", uint64(s)) }

// clip shortens s to max characters, reporting whether it had to.
func clip(s string, max int) (string, bool) {
	if utf8.RuneCountInString(s) <= max {
		return s, false
	}
	return string([]rune(s)[:max]), true
}

// clockText reads "8:00", "08:00" or "08:00:00" as "08:00".
func clockText(s string) (string, bool) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return "", false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(parts[1]) != 2 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", h, m), true
}

// dateOf reads the original's date strings ("2025-01-06", or an ISO time
// starting with one).
func dateOf(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s[:10])
	return t, err == nil
}

// day is a DATE value.
func day(t time.Time) dateText { return dateText(t.UTC().Format("2006-01-02")) }

// jsonOf is a value as JSON text (maps encode with sorted keys).
func jsonOf(v any) jsonText {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return jsonText(b)
}
