//go:build !race

package imagedec

// raceDetector is true when the tests run under the race detector, which
// slows the decoders several times over.
const raceDetector = false
