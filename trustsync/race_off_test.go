//go:build !race

package trustsync

const raceEnabled = false
