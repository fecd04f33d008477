package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/models"
)

// maxBodyBytes bounds every JSON request body.
const maxBodyBytes = 1 << 20

// decoder reads request bodies strictly and validates them. One is made per
// API (the validator caches struct metadata) and shared by every resource.
type decoder struct {
	v *validator.Validate
}

func newDecoder() *decoder {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Errors name fields as the client spelled them.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	// password: bcrypt's byte limits, counted in bytes rather than characters.
	_ = v.RegisterValidation("password", func(fl validator.FieldLevel) bool {
		n := len(fl.Field().String())
		return n >= auth.MinPasswordBytes && n <= auth.MaxPasswordBytes
	})
	return &decoder{v: v}
}

// decode reads r's JSON body into dst and validates it. Unknown fields,
// malformed JSON and wrong types are 400, a body over 1 MiB 413, another
// content type 415, and failed validation a *models.ValidationError (422).
// Fields the frontend sends that we ignore must be declared on dst.
func (d *decoder) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := d.read(w, r, dst, false); err != nil {
		return err
	}
	return d.validate(dst)
}

// decodeOptional is decode for endpoints whose body may be left out: an empty
// body leaves dst as it is.
func (d *decoder) decodeOptional(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := d.read(w, r, dst, true); err != nil {
		return err
	}
	return d.validate(dst)
}

func (d *decoder) read(w http.ResponseWriter, r *http.Request, dst any, optional bool) error {
	body := http.MaxBytesReader(w, r.Body, maxBodyBytes)
	defer body.Close()
	if optional && r.ContentLength == 0 {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errorf(http.StatusUnsupportedMediaType, "The request body must be JSON, sent with Content-Type: application/json.")
		}
	} else if !optional {
		return errorf(http.StatusUnsupportedMediaType, "The request body must be JSON, sent with Content-Type: application/json.")
	}
	// Read whole (at most 1 MiB) so the bytes can be checked before decoding:
	// encoding/json silently turns invalid UTF-8 into U+FFFD, which would
	// store something other than what the client sent.
	data, err := io.ReadAll(body)
	if err == nil && !utf8.Valid(data) {
		return errorf(http.StatusBadRequest, "The request body is not valid UTF-8 text.")
	}
	if err == nil && optional && len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	// encoding/json decodes a top-level null into a struct as nothing at all;
	// the API's bodies are objects, as api/openapi.yaml says.
	if err == nil && string(bytes.TrimSpace(data)) == "null" {
		return errorf(http.StatusBadRequest, "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(dst)
	}
	if err == nil {
		if dec.More() || dec.Decode(&struct{}{}) != io.EOF {
			return errorf(http.StatusBadRequest, "The request body must hold a single JSON object.")
		}
		return nil
	}
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		tooBig    *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooBig):
		return errorf(http.StatusRequestEntityTooLarge, "The request body is larger than 1 MiB.")
	case errors.Is(err, io.EOF):
		if optional {
			return nil
		}
		return errorf(http.StatusBadRequest, "The request body is empty; it must be a JSON object.")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "The request body is not valid JSON.")
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return errorf(http.StatusBadRequest, "The request body must be a JSON object.")
		}
		return errorf(http.StatusBadRequest, fmt.Sprintf("The field %s must be %s, not a JSON %s.", typeErr.Field, jsonKind(typeErr.Type), typeErr.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return errorf(http.StatusBadRequest, fmt.Sprintf("The field %s is not accepted here.", name))
	}
	return errorf(http.StatusBadRequest, "The request body could not be read as JSON.")
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

// validate runs the struct's validate tags and turns failures into one
// ValidationError listing every bad field.
func (d *decoder) validate(dst any) error {
	err := d.v.Struct(dst)
	var verrs validator.ValidationErrors
	if err == nil || !errors.As(err, &verrs) {
		return err
	}
	fields := make([]models.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		fields = append(fields, models.FieldError{Field: fe.Field(), Message: message(fe)})
	}
	return &models.ValidationError{Fields: fields}
}

func isNumber(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Float64
}

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be a valid email address"
	case "password":
		return fmt.Sprintf("must be between %d and %d bytes long", auth.MinPasswordBytes, auth.MaxPasswordBytes)
	case "oneof":
		return "must be one of " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "max", "lte":
		switch {
		case fe.Kind() == reflect.Slice:
			return "must have at most " + fe.Param() + " items"
		case isNumber(fe.Kind()):
			return "must be at most " + fe.Param()
		}
		return "must be at most " + fe.Param() + " characters long"
	case "min", "gte":
		switch {
		case fe.Kind() == reflect.Slice:
			return "must have at least " + fe.Param() + " item(s)"
		case isNumber(fe.Kind()):
			return "must be at least " + fe.Param()
		}
		return "must be at least " + fe.Param() + " characters long"
	case "gt":
		return "must be greater than " + fe.Param()
	}
	return "is invalid (" + fe.Tag() + ")"
}

// ignored is a field the frontend sends back as it read it (ids of parents,
// timestamps, totals, display fields): accepted by the strict decoder, never
// stored.
type ignored = json.RawMessage
