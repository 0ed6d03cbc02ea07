//go:build race

package trustsync

// raceEnabled: the race detector's shadow memory makes peak-RSS bounds
// meaningless, so memory tests skip their bound under -race.
const raceEnabled = true
