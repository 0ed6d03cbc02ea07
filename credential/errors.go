package credential

import (
	"errors"
	"fmt"
)

// Reason is a stable, machine-readable code for why a credential was
// refused. Codes never change meaning; new ones may be added. The full list,
// including the verifier's, is in docs/format.md.
type Reason string

// Reasons produced while decoding a credential text. The verifier adds its
// own (signature_invalid, issuer_unknown, expired, ...).
const (
	ReasonBadPrefix      Reason = "bad_prefix"      // not "SP1:" (or another supported prefix)
	ReasonBadEncoding    Reason = "bad_encoding"    // not valid base45
	ReasonBadCompression Reason = "bad_compression" // not a valid zlib stream
	ReasonTooLarge       Reason = "too_large"       // over a size limit
	ReasonBadCOSE        Reason = "bad_cose"        // not a COSE_Sign1 message
	ReasonBadClaims      Reason = "bad_claims"      // claims missing, malformed or of an unknown schema
	ReasonUnsupportedAlg Reason = "algorithm_unsupported"
	ReasonMissingKID     Reason = "kid_missing"

	// ReasonUpdateRequired: the passport comes from a newer issuer and marks
	// as must-understand a field this version does not know. It is neither
	// forged nor damaged; the verifier must be updated to read it.
	ReasonUpdateRequired Reason = "update_required"

	// WarnNotRecognised is a warning, not a reason: the passport holds
	// items of a newer version, kept with their raw codes.
	WarnNotRecognised Reason = "not_recognised"
)

// Error is a decoding failure with its reason code and a message a person
// can act on.
type Error struct {
	Reason  Reason
	Message string
	Err     error // underlying error, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func newError(r Reason, msg string, err error) *Error {
	return &Error{Reason: r, Message: msg, Err: err}
}

// ReasonOf returns the reason code carried by err, or "" if it has none.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }
