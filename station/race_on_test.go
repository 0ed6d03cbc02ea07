//go:build race

package station

// raceEnabled: the race detector multiplies memory use, so tests that
// measure memory skip under it.
const raceEnabled = true
