package verify

import "strings"

// wholeFromSymbol judges a text read from a barcode symbol as whole. A
// symbol carries its own length and error correction, so the reader hands
// over all of it or nothing: a text from one that stops before its code
// does was printed that way. That is an altered passport (DO NOT ACCEPT),
// never "only part of the code arrived, scan it again", which is true only
// of text typed by a USB scanner that can be cut off mid-burst.
func wholeFromSymbol(r *Result) {
	for i := range r.Reasons {
		if !r.Reasons[i].Incomplete {
			continue
		}
		r.Reasons[i].Incomplete = false
		detail := strings.TrimSuffix(strings.TrimPrefix(r.Reasons[i].Message, "incomplete: only part of the code arrived ("), "): scan it again")
		r.Reasons[i].Message = "altered: not a genuine passport (the barcode's own text stops before its end: " + detail + ")"
	}
}
