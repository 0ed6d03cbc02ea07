package credential

// Every decoding limit lives here, each sized from what a printed code can
// hold: the largest QR code (version 40, error correction L) carries 4,296
// alphanumeric characters, so nothing read from paper can be longer. The
// limits stop a hostile text from making the verifier allocate or work much
// more than a genuine passport would.
const (
	// MaxTextLen is the longest credential text accepted, prefix included:
	// the alphanumeric capacity of a version-40-L QR code.
	MaxTextLen = 4296

	// MaxCompressedLen is the most bytes base45 can yield from MaxTextLen
	// characters (2 bytes per 3 characters).
	MaxCompressedLen = MaxTextLen * 2 / 3

	// MaxInflatedLen caps the decompressed COSE message. Claims for a person
	// with every check and training subject are about 600 bytes; 16 KiB leaves
	// room for long names and future fields while defeating zlib bombs
	// (deflate expands up to ~1000:1).
	MaxInflatedLen = 16 << 10

	// MaxNesting is the deepest CBOR nesting accepted. The passport claims
	// nest 4 deep (claims → body → checks → check); DCC claims 6.
	MaxNesting = 12

	// MaxArrayElements and MaxMapPairs bound CBOR containers. No array in a
	// passport (checks, training) or a DCC (entries) holds more than a few
	// dozen items.
	MaxArrayElements = 256
	MaxMapPairs      = 64

	// MaxStringLen bounds any single CBOR text or byte string (a name, a role).
	MaxStringLen = 2048

	// MaxBodyVersion is the highest body version read. Later versions are
	// read forward-compatibly (docs/format.md §7), but a version number
	// beyond any plausible schema history is damage, not the future.
	MaxBodyVersion = 1 << 16
)
