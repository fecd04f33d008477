//go:build race

package handlers_test

// raceEnabled: the race detector slows pure-CPU code such as bcrypt about
// twentyfold, so the sign-in burst test uses a lower cost under it.
const raceEnabled = true
