// Package api holds the API's OpenAPI 3.1 description, embedded so the
// binary can serve it and the tests can hold the server to it.
package api

import _ "embed"

//go:embed openapi.yaml
var spec string

// Spec returns api/openapi.yaml: every endpoint, its parameters, bodies,
// responses and errors. The handlers' tests fail when the server and it
// disagree. Each call returns a fresh copy.
func Spec() []byte { return []byte(spec) }
