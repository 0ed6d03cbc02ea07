// Package detect finds and samples the QR codes in a grey plane: the busy
// squares where a code probably is (Regions), gozxing's binarizers, a bounded
// finder-pattern search, and four ways of reading what it finds: gozxing's
// detector (Read), every plausible finder triple with several dimensions and
// alignment patterns (ReadFinders), piecewise sampling between the alignment
// patterns (ReadPiecewise), and Wiener deconvolution before both
// (ReadDeblurred). Each charges its work to a work.Budget and returns the texts
// of the codes that passed gozxing's Reed-Solomon check; global chooses gozxing's
// GlobalHistogramBinarizer (one threshold a row) over its HybridBinarizer (local
// block thresholds). Which reader to try, on which image and filter, in what
// order, is the search's business (verify/scan).
package detect
