package handlers

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/teachtrack/api/internal/models"
)

// Stored text is checked here, in the decoder every JSON body goes through, so
// that every endpoint inherits the checks without writing them.

// maxTextBytes is what a TEXT column holds (65,535 bytes). A string field
// longer than that in bytes is refused unless its tag declares a larger
// budget (maxbytes=N, e.g. for a MEDIUMTEXT column): validate's max counts
// characters, and 33,000 × "é" passes max=65535 yet overflows TEXT.
const maxTextBytes = 65535

// badTextMessage is the field error for a NUL or a lone surrogate.
const badTextMessage = "must not contain a NUL character (\\u0000) or an unpaired UTF-16 surrogate (\\uD800–\\uDFFF)"

// markLoneSurrogates rewrites, in place, every JSON escape of an unpaired
// UTF-16 surrogate into \u0000 (the same six bytes), so that checkText can
// name the field that held it: encoding/json would otherwise silently turn it
// into U+FFFD, storing something other than what was sent. Raw control
// characters and invalid UTF-8 are refused before this (invalid JSON / not
// UTF-8); an escaped NUL decodes to a NUL, which checkText refuses too, as it
// ends strings in too many of the tools that later read the data.
func markLoneSurrogates(data []byte) {
	high := -1 // offset of an escaped high surrogate awaiting its low half
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			if high >= 0 {
				copy(data[high:], `\u0000`)
				high = -1
			}
			continue
		}
		if i+1 >= len(data) || data[i+1] != 'u' || i+6 > len(data) {
			if high >= 0 {
				copy(data[high:], `\u0000`)
				high = -1
			}
			i++ // an escaped character such as \\ or \" (or malformed: json says so)
			continue
		}
		v, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		if err != nil {
			return // malformed; the JSON decoder says so
		}
		isHigh, isLow := v >= 0xD800 && v <= 0xDBFF, v >= 0xDC00 && v <= 0xDFFF
		switch {
		case isLow && high >= 0:
			high = -1 // a proper pair
		case isLow:
			copy(data[i:], `\u0000`)
		default:
			if high >= 0 {
				copy(data[high:], `\u0000`)
			}
			high = -1
			if isHigh {
				high = i
			}
		}
		i += 5
	}
	if high >= 0 {
		copy(data[high:], `\u0000`)
	}
}

// checkText walks a decoded request and refuses every string longer in bytes
// than its column can hold (maxTextBytes, or the field's maxbytes=N), and
// every string or raw JSON holding a NUL or (see markLoneSurrogates) a lone
// surrogate: 422, naming the field.
func checkText(dst any) error {
	var fields []models.FieldError
	walkStrings(reflect.ValueOf(dst), "", maxTextBytes, &fields)
	if len(fields) > 0 {
		return &models.ValidationError{Fields: fields}
	}
	return nil
}

func walkStrings(v reflect.Value, path string, limit int, out *[]models.FieldError) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), path, limit, out)
		}
	case reflect.String:
		switch {
		case strings.IndexByte(v.String(), 0) >= 0:
			*out = append(*out, models.FieldError{Field: path, Message: badTextMessage})
		case len(v.String()) > limit:
			*out = append(*out, models.FieldError{Field: path, Message: fmt.Sprintf("must be at most %d bytes long", limit)})
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			// json.RawMessage: its text is stored as it came.
			if v.Kind() == reflect.Slice && bytes.Contains(v.Bytes(), []byte(`\u0000`)) && hasEscapedNUL(v.Bytes()) {
				*out = append(*out, models.FieldError{Field: path, Message: badTextMessage})
			}
			return
		}
		for i := 0; i < v.Len() && len(*out) < 20; i++ {
			walkStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i), limit, out)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() && len(*out) < 20 {
			key := fmt.Sprint(iter.Key().Interface())
			walkStrings(iter.Key(), joinPath(path, key), limit, out)
			walkStrings(iter.Value(), joinPath(path, key), limit, out)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			p := path
			if !f.Anonymous {
				if name == "" {
					name = f.Name
				}
				p = joinPath(path, name)
			}
			walkStrings(v.Field(i), p, fieldByteLimit(f, limit), out)
		}
	}
}

// hasEscapedNUL reports whether JSON text holds the escape \u0000 (not the
// text "\\u0000", an escaped backslash before "u0000").
func hasEscapedNUL(data []byte) bool {
	for i := 0; i+5 < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] == 'u' && string(data[i+2:i+6]) == "0000" {
			return true
		}
		i++
	}
	return false
}

// fieldByteLimit reads a maxbytes=N from the field's validate tag.
func fieldByteLimit(f reflect.StructField, def int) int {
	for _, part := range strings.Split(f.Tag.Get("validate"), ",") {
		if v, ok := strings.CutPrefix(part, "maxbytes="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return n
			}
		}
	}
	return def
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
