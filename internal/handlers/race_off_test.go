//go:build !race

package handlers_test

// raceEnabled: see race_on_test.go.
const raceEnabled = false
