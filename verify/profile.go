package verify

import (
	"time"

	"passport/credential"
	"passport/trust"
)

// profile is everything that differs between the kinds of document the
// verifier reads, kept in one place instead of prefix tests threaded
// through the judging. The envelope rules (what a prefix's COSE may look
// like) are credential.Decode's, chosen by the same prefix; the claims
// decoder is the profile's judge (credential for SP1:, credential/dcc for
// HC1:), which also fills the result's view.
type profile struct {
	document Document
	// kind is the only kind of trusted key that may sign this document.
	kind trust.KeyKind
	// judge reads the claims of a document whose envelope, key and
	// signature have passed, and judges them: the fixed top-level claims
	// first, then the body.
	judge func(v *Verifier, j *judged, s *credential.Signed, key *trust.TrustedKey, store trust.TrustStore, now time.Time)
}

// profiles has one profile per prefix credential.Decode accepts; a prefix
// without one is never judged (TestEveryPrefixHasAProfile).
var profiles = map[string]profile{
	credential.Prefix: {document: DocumentStaffPassport, kind: trust.KindStaff,
		judge: (*Verifier).staffPassport},
	credential.PrefixDCC: {document: DocumentEUDCC, kind: trust.KindDCC,
		judge: func(v *Verifier, j *judged, s *credential.Signed, key *trust.TrustedKey, store trust.TrustStore, now time.Time) {
			verifyDCC(j, s, key, store, now, v.skew)
		}},
}
