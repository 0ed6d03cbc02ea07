package detect

// The detector's caps: they bound its cost by the number of candidates and
// triples, not by what the image holds (see detect.go).
const (
	// maxFinderCandidates stops the row scan for finder patterns: a page with one
	// or a few codes has fewer than 50 candidates (three a code plus look-alikes in
	// data and text); a tiling of finder-like squares has thousands, and gozxing's
	// readers combined them all (O(n³)) and sampled every plausible triple.
	maxFinderCandidates = 300

	// finderKeep is how many candidates (most often confirmed first) are combined
	// into triples by Read: C(15,3) = 455 geometry checks, microseconds.
	finderKeep = 15

	// MaxTriples is how many triples Read samples and decodes per binarized
	// image (each an alignment pattern search and a grid sampling, well under a
	// millisecond): enough for four codes and their look-alikes.
	MaxTriples = 24
)
