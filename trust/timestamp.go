package trust

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"passport/internal/strictcbor"
)

// Freshness statements, after the timestamp role of The Update Framework:
// a small file signed by an online key the bundle names (its timestamp
// key), saying which bundle is the newest and until when that claim holds.
// A source that keeps serving an old bundle cannot make a new statement,
// so a site that stops receiving them sees its list go unconfirmed within
// a statement's lifetime, not when the bundle expires months later.

// StatementContentType is the COSE content type in the protected header of
// a freshness statement.
const StatementContentType = "application/vnd.passport.trust-timestamp+cbor"

// Limits of a statement.
const (
	// MaxStatementBytes caps a statement file: a 64-byte signature, an
	// 8-byte kid, a 32-byte hash and three integers come to about 170
	// bytes; sync fetches it often, so it stays within 1 KiB.
	MaxStatementBytes = 1024
	// MaxStatementLifetime caps expires − issued: a statement is meant to
	// be renewed hourly or daily by a scheduler.
	MaxStatementLifetime = 31 * 24 * time.Hour
)

// ErrStatement: a freshness statement is malformed or its signature does
// not verify.
var ErrStatement = errors.New("invalid freshness statement")

// Statement says that the bundle of version Version whose file hashes to
// BundleSHA256 is the newest, from Issued until Expires.
type Statement struct {
	Version      int64
	BundleSHA256 []byte // SHA-256 of the signed bundle file
	Issued       time.Time
	Expires      time.Time
}

type wireStatement struct {
	Crit    []uint64 `cbor:"0,keyasint,omitempty"`
	Version int64    `cbor:"1,keyasint"`
	SHA256  []byte   `cbor:"2,keyasint"`
	Issued  int64    `cbor:"3,keyasint"`
	Expires int64    `cbor:"4,keyasint"`
}

var knownStatementKeys = map[uint64]bool{0: true, 1: true, 2: true, 3: true, 4: true}

var statementDec = func() cbor.DecMode {
	return strictcbor.DecMode(strictcbor.Limits{Nesting: 4, ArrayElements: 16, MapPairs: 16})
}()

// Validate checks a statement before signing and after decoding.
func (s *Statement) Validate() error {
	switch {
	case s.Version <= 0 || s.Version > MaxBundleVersion:
		return fmt.Errorf("%w: version %d is not 1 to 2^53", ErrStatement, s.Version)
	case len(s.BundleSHA256) != sha256.Size:
		return fmt.Errorf("%w: the bundle hash is %d bytes, not %d", ErrStatement, len(s.BundleSHA256), sha256.Size)
	case !inBundleRange(s.Issued) || !inBundleRange(s.Expires):
		return fmt.Errorf("%w: a date is outside 1970-9999", ErrStatement)
	case !s.Expires.After(s.Issued):
		return fmt.Errorf("%w: expires (%s) is not after issued (%s)", ErrStatement, s.Expires.UTC().Format(time.RFC3339), s.Issued.UTC().Format(time.RFC3339))
	case s.Expires.Sub(s.Issued) > MaxStatementLifetime:
		return fmt.Errorf("%w: it is valid for %v, over the %v a statement may be", ErrStatement, s.Expires.Sub(s.Issued), MaxStatementLifetime)
	}
	return nil
}

// Covers reports whether the statement names exactly this bundle file.
func (s *Statement) Covers(version int64, bundleFile []byte) bool {
	sum := sha256.Sum256(bundleFile)
	return s.Version == version && bytes.Equal(s.BundleSHA256, sum[:])
}

// MarshalStatement validates s and encodes it as deterministic CBOR (the
// COSE payload of a signed statement).
func MarshalStatement(s *Statement) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return bundleEnc.Marshal(wireStatement{Version: s.Version, SHA256: s.BundleSHA256, Issued: s.Issued.Unix(), Expires: s.Expires.Unix()})
}

// SignedStatement is a parsed but not yet verified statement file.
type SignedStatement struct {
	KID []byte // of the timestamp key that claims to have signed it
	msg *cose.Sign1Message
	raw []byte
}

// Raw is the statement file as read.
func (s *SignedStatement) Raw() []byte { return bytes.Clone(s.raw) }

// ParseSignedStatement reads a statement file as far as its signer's kid:
// at most MaxStatementBytes, a tagged COSE_Sign1 whose envelope is bounded
// before it is decoded, ES256, a kid and StatementContentType in the
// protected header. It verifies nothing.
func ParseSignedStatement(data []byte) (*SignedStatement, error) {
	if len(data) == 0 || len(data) > MaxStatementBytes {
		return nil, fmt.Errorf("%w: the file is %d bytes; a statement is 1 to %d", ErrStatement, len(data), MaxStatementBytes)
	}
	if err := checkEnvelope(data, MaxStatementBytes); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStatement, err)
	}
	msg := cose.NewSign1Message()
	if err := msg.UnmarshalCBOR(data); err != nil {
		return nil, fmt.Errorf("%w: not a COSE_Sign1 message: %v", ErrStatement, err)
	}
	if ct, _ := msg.Headers.Protected[cose.HeaderLabelContentType].(string); ct != StatementContentType {
		return nil, fmt.Errorf("%w: content type %.60q is not %q", ErrStatement, ct, StatementContentType)
	}
	if alg, err := msg.Headers.Protected.Algorithm(); err != nil || alg != cose.AlgorithmES256 {
		return nil, fmt.Errorf("%w: the protected header must say ES256", ErrStatement)
	}
	kid, _ := msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte)
	if len(kid) != KeyIDLen {
		return nil, fmt.Errorf("%w: the protected header names no %d-byte key id", ErrStatement, KeyIDLen)
	}
	if msg.Payload == nil {
		return nil, fmt.Errorf("%w: no payload", ErrStatement)
	}
	return &SignedStatement{KID: bytes.Clone(kid), msg: msg, raw: bytes.Clone(data)}, nil
}

// Verify checks the signature with the timestamp key a bundle names (PKIX
// DER) and returns the decoded, validated statement. Nothing of the payload
// is decoded before the signature is checked.
func (s *SignedStatement) Verify(timestampKey []byte) (*Statement, error) {
	pub, err := ParseTimestampKey(timestampKey)
	if err != nil {
		return nil, err
	}
	if kid, _ := AuthorityKeyID(pub); !bytes.Equal(kid, s.KID) {
		return nil, fmt.Errorf("%w: it is signed by key %x, and the bundle in force names timestamp key %x", ErrStatement, s.KID, kid)
	}
	v, err := cose.NewVerifier(cose.AlgorithmES256, pub)
	if err != nil {
		return nil, err
	}
	if err := s.msg.Verify(nil, v); err != nil {
		return nil, fmt.Errorf("%w: the signature does not verify with the timestamp key the bundle in force names", ErrStatement)
	}
	var w wireStatement
	if err := statementDec.Unmarshal(s.msg.Payload, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStatement, err)
	}
	if err := checkDeterministic(s.msg.Payload); err != nil {
		return nil, fmt.Errorf("%w: not deterministically encoded: %v", ErrStatement, err)
	}
	if err := checkCrit("the statement", w.Crit, knownStatementKeys); err != nil {
		return nil, err
	}
	for _, v := range []int64{w.Issued, w.Expires} {
		if v < minBundleUnix || v > maxBundleUnix {
			return nil, fmt.Errorf("%w: a date is outside 1970-9999", ErrStatement)
		}
	}
	st := &Statement{Version: w.Version, BundleSHA256: w.SHA256, Issued: time.Unix(w.Issued, 0).UTC(), Expires: time.Unix(w.Expires, 0).UTC()}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	return st, nil
}

// ParseTimestampKey reads a timestamp key as a bundle carries it: PKIX DER
// of an ECDSA P-256 public key.
func ParseTimestampKey(der []byte) (*ecdsa.PublicKey, error) {
	if len(der) == 0 || len(der) > MaxBundleCertLen {
		return nil, fmt.Errorf("timestamp key is %d bytes", len(der))
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("timestamp key is not a PKIX public key: %v", err)
	}
	ek, ok := pub.(*ecdsa.PublicKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("timestamp key is %T: timestamp keys are ECDSA P-256", pub)
	}
	return ek, nil
}
