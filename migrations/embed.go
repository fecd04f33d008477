// Package migrations holds the schema as numbered goose SQL files, embedded in
// the binary; it is the schema's single source of truth.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
