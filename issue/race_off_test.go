//go:build !race

package issue

const raceEnabled = false
