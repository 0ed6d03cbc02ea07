//go:build !race

package scan

// raceDetector is true when the tests run under the race detector, which
// slows the reader's pixel loops several times over.
const raceDetector = false
