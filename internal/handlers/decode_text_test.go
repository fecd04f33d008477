package handlers

import "testing"

func TestMarkLoneSurrogates(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`"\ud83d\ude00"`, `"\ud83d\ude00"`}, // a pair is kept
		{`"\ud800"`, `"\u0000"`},
		{`"\udc00"`, `"\u0000"`},
		{`"a\ud800b"`, `"a\u0000b"`},
		{`"\ud800\ud800\udc00"`, `"\u0000\ud800\udc00"`},
		{`"\ud800\n"`, `"\u0000\n"`},
		{`"\ude00\ud83d"`, `"\u0000\u0000"`},
		{`"\\ud800"`, `"\\ud800"`}, // an escaped backslash, then text
		{`"\u00e9\u0041"`, `"\u00e9\u0041"`},
		{`"\ud8`, `"\ud8`}, // malformed: left to the JSON decoder
	} {
		b := []byte(tt.in)
		markLoneSurrogates(b)
		if string(b) != tt.want {
			t.Errorf("markLoneSurrogates(%s) = %s, want %s", tt.in, b, tt.want)
		}
	}
}

func TestHasEscapedNUL(t *testing.T) {
	for in, want := range map[string]bool{`["a\u0000"]`: true, `["a\\u0000"]`: false, `["\\\u0000"]`: true, `[1]`: false} {
		if got := hasEscapedNUL([]byte(in)); got != want {
			t.Errorf("hasEscapedNUL(%s) = %v, want %v", in, got, want)
		}
	}
}
