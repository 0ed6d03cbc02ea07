//go:build race

package issue

// raceEnabled: the race detector slows the crash test's children and QR
// decoding about tenfold, so it runs a smaller batch.
const raceEnabled = true
