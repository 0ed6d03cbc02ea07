package trust

// Size limits for the public trust material this package decodes. Each input
// is read through a limited reader first, so a wrong or hostile file costs at
// most this much memory and never reaches a parser in full.
const (
	// MaxCertificateFileSize caps a certificate file (issuer.crt or the input
	// of `trust add`). Real X.509 certificates are 0.5–4 KiB each; 1 MiB is
	// room for a chain file of MaxCertificates large certificates.
	MaxCertificateFileSize = 1 << 20

	// MaxCertificates caps how many certificates one input may hold. A
	// national DCC trust list export has a few hundred per country; 1000
	// bounds parsing work while accepting such a bundle.
	MaxCertificates = 1000

	// MaxOrgCodeLen caps an organisation code. NHS ODS codes are 3–6
	// characters; 32 allows other schemes and stays small in the barcode.
	MaxOrgCodeLen = 32

	// MaxOrgNameLen caps an organisation name: X.520's upper bound for a
	// common name (ub-common-name) is 64 characters.
	MaxOrgNameLen = 64

	// MaxIssuerContactLen caps an issuer's contact as a bundle carries it:
	// a team name and a phone number or an e-mail address (at most 254,
	// MaxContactLen, but desks show a line, so 128).
	MaxIssuerContactLen = 128
)
