package trust

import "time"

// BundleClockSkew is how far in the future a bundle's issue time may lie
// when a site imports it: the authority's and the site's clocks may differ
// by minutes. A bundle dated later than that would, once imported, be
// newer than anything issued before its date, so it is refused.
const BundleClockSkew = 5 * time.Minute

// Limits on trust-list bundles. A bundle is read from a file a person
// carries to the site, so it is bounded before any parsing: its size in
// bytes first, then the number of entries the CBOR decoder may allocate.
const (
	// MaxBundleIssuers caps the issuer keys in one bundle. The EU DCC
	// gateway lists a few thousand document signer certificates for all
	// member states; the NHS has about 1,000 organisations with a few keys
	// each. 50,000 is five times the largest list we plan for (10,000).
	MaxBundleIssuers = 50000

	// MaxBundleRevoked caps the revoked credential ids in one bundle.
	// 1,000,000 ids at 16 bytes is 16 MB: ten times the 100,000 we plan for,
	// and still small enough to import in seconds.
	MaxBundleRevoked = 1000000

	// MaxBundleBytes caps a signed bundle file. MaxBundleIssuers entries
	// with 1.5 KiB certificates (about 75 MB) would not fit; the planned
	// 10,000 issuers with certificates (~8 MB) plus MaxBundleRevoked ids
	// (~18 MB) do, with room to spare.
	MaxBundleBytes = 64 << 20

	// MaxRevokedIDLen caps one revoked id. A passport cti is 16 bytes; an
	// EU DCC certificate identifier (UVCI, its "ci") is at most 80
	// characters in the DCC JSON schema. 128 covers both.
	MaxRevokedIDLen = 128

	// MaxBundleCertLen caps one issuer certificate inside a bundle: real
	// X.509 certificates are 0.5–4 KiB; RSA-8192 with extensions stays
	// under 16 KiB.
	MaxBundleCertLen = 16 << 10

	// maxBundleMapPairs caps the pairs of any map in a bundle: the largest,
	// an issuer entry, has 12 keys today; the rest is room for fields later
	// versions add, which this one ignores.
	maxBundleMapPairs = 64

	// maxBundleNesting: bundle → issuers → issuer is 3 levels deep.
	maxBundleNesting = 4

	// MaxBundleVersion caps a bundle's version at 2^53, the largest
	// integer every JSON reader (index.json, `trust status --json`) holds
	// exactly. A bundle numbered near 2^63 would leave no version above it,
	// so nothing could ever replace it at a site.
	MaxBundleVersion = 1 << 53

	// MaxFreshFor caps how long a bundle alone may count as confirmed
	// (its fresh-for): the point of freshness is to be short; a bundle
	// that stands for longer than a year is better left without it.
	MaxFreshFor = 366 * 24 * time.Hour

	// MaxAuthorityKeyFileSize caps an authority.pub file (a PEM P-256
	// public key is about 180 bytes).
	MaxAuthorityKeyFileSize = 64 << 10
)
