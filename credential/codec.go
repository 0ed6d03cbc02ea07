package credential

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

// Prefix is the context identifier in front of every staff passport text.
const Prefix = "SP1:"

// PrefixDCC is the context identifier of an EU Digital COVID Certificate,
// which shares the layering and is read by the same verifier.
const PrefixDCC = "HC1:"

// AlgorithmFor is the COSE algorithm this project uses with a public key.
func AlgorithmFor(pub crypto.PublicKey) (cose.Algorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize == 256 {
			return cose.AlgorithmES256, nil
		}
	case ed25519.PublicKey:
		return cose.AlgorithmEdDSA, nil
	case *rsa.PublicKey:
		if k.N.BitLen() >= 2048 {
			return cose.AlgorithmPS256, nil
		}
	}
	return 0, newError(ReasonUnsupportedAlg, fmt.Sprintf("keys of type %T are not supported (use ECDSA P-256, Ed25519 or RSA 2048+)", pub), nil)
}

// zlibWriters reuses compressors: a new zlib writer allocates about 1 MB,
// which at bulk-issuance rates cost more than the signature itself.
var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(nil, zlib.BestCompression)
	return zw
}}

// zlibReaders reuses decompressors: a new zlib reader allocates a 32 KiB
// window and its Huffman tables (about 40 KB), most of what verifying one
// text allocated, and the garbage collection it caused cost more than the
// decompression itself.
var zlibReaders sync.Pool

// newZlibReader is zlib.NewReader on a pooled reader; the caller puts it
// back in zlibReaders when done (a reader that failed to start is not
// returned, so it is not pooled).
func newZlibReader(r io.Reader) (io.ReadCloser, error) {
	if zr, ok := zlibReaders.Get().(io.ReadCloser); ok {
		if err := zr.(zlib.Resetter).Reset(r, nil); err != nil {
			zlibReaders.Put(zr) // Reset starts it afresh next time
			return nil, err
		}
		return zr, nil
	}
	return zlib.NewReader(r)
}

// Encode turns a COSE message into the printed text: zlib (best
// compression), base45, and the prefix.
func Encode(coseMsg []byte) string {
	var b bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(&b)
	zw.Write(coseMsg)
	zw.Close()
	zlibWriters.Put(zw)
	return Prefix + Base45Encode(b.Bytes())
}

// Normalize cleans a text as a scanner or a person may deliver it: it trims
// surrounding white space and line ends, and upper-cases it (base45 has no
// lower case, so text typed with Caps Lock on is recovered exactly).
func Normalize(text string) string {
	return strings.ToUpper(strings.Trim(text, " \t\r\n\x00"))
}

// Signed is a decoded but not yet verified COSE_Sign1 credential.
type Signed struct {
	Prefix       string         // "SP1:" or "HC1:"
	Alg          cose.Algorithm // from the protected header (for HC1, from the unprotected one when only it has one)
	AlgProtected bool           // false when the alg came from the unprotected header (HC1 only)
	KID          []byte
	KIDProtected bool   // false when the kid came from the unprotected header (DCC allows it)
	CWTTagged    bool   // the COSE_Sign1 was wrapped in a CWT tag 61 (HC1 only)
	Tagged       bool   // COSE_Sign1_Tagged (tag 18) or not
	COSE         []byte // the COSE message as carried
	msg          *cose.Sign1Message
}

// Payload is the signed CWT payload (not yet verified).
func (s *Signed) Payload() []byte { return s.msg.Payload }

// Decode reads a printed text down to the COSE_Sign1 structure: prefix,
// base45, bounded inflate, COSE. It checks no signature.
func Decode(text string) (*Signed, error) {
	if len(text) > MaxTextLen {
		return nil, newError(ReasonTooLarge, fmt.Sprintf("the text is %d characters, over the %d-character limit of a QR code", len(text), MaxTextLen), nil)
	}
	var prefix string
	switch {
	case strings.HasPrefix(text, Prefix):
		prefix = Prefix
	case strings.HasPrefix(text, PrefixDCC):
		prefix = PrefixDCC
	default:
		shown := text
		if len(shown) > 8 {
			shown = shown[:8] + "…"
		}
		return nil, newError(ReasonBadPrefix, fmt.Sprintf("the text does not start with %q (it starts %q): it is not a staff passport", Prefix, shown), nil)
	}
	raw, err := Base45Decode(text[len(prefix):])
	if errors.Is(err, errBase45Length) || errors.Is(err, errBase45Final) {
		return nil, newError(ReasonBadEncoding, "the text ends in the middle of a base45 group", fmt.Errorf("%w: %v", ErrTruncated, err))
	} else if err != nil {
		return nil, newError(ReasonBadEncoding, "the text is not valid base45 (damaged or mistyped)", err)
	}
	coseMsg, err := inflate(raw, prefix == PrefixDCC)
	if err != nil {
		return nil, err
	}
	s, err := parseCOSE(coseMsg, prefix == PrefixDCC)
	if err != nil {
		return nil, err
	}
	s.Prefix = prefix
	// Our own format has one shape: tagged, kid signed in the protected
	// header. The leniency that real DCC data needs stays with HC1.
	if prefix == Prefix && (!s.Tagged || !s.KIDProtected) {
		return nil, newError(ReasonBadCOSE, "a staff passport must be a tagged COSE_Sign1 with its kid in the protected header", nil)
	}
	// The format says the unprotected header of SP1 is empty: anything in
	// it is unsigned and could only mislead a reader that trusts it.
	if prefix == Prefix && len(s.msg.Headers.Unprotected) != 0 {
		return nil, newError(ReasonBadCOSE, "a staff passport's unprotected header must be empty (it is not signed)", nil)
	}
	return s, nil
}

// inflate decompresses at most MaxInflatedLen bytes. Both formats must be
// zlib: the DCC specification says the CWT SHALL be compressed, and the
// EU's DCC test data expects an uncompressed one to be refused (only HC1
// may carry bytes after the end of the stream: see below).
func inflate(raw []byte, allowTrailing bool) ([]byte, error) {
	br := bytes.NewReader(raw)
	zr, err := newZlibReader(br)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return nil, newError(ReasonBadCompression, "the text ends before its compressed data begins", fmt.Errorf("%w: %v", ErrTruncated, err))
	} else if err != nil {
		return nil, newError(ReasonBadCompression, "the data is not zlib-compressed as a passport must be", err)
	}
	defer zlibReaders.Put(zr)
	out, err := io.ReadAll(io.LimitReader(zr, MaxInflatedLen+1))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, newError(ReasonBadCompression, "the compressed data stops before its end", fmt.Errorf("%w: %v", ErrTruncated, err))
	} else if err != nil {
		return nil, newError(ReasonBadCompression, "the compressed data is damaged", err)
	}
	if len(out) > MaxInflatedLen {
		return nil, newError(ReasonTooLarge, fmt.Sprintf("the data inflates past the %d-byte limit (a compression bomb?)", MaxInflatedLen), nil)
	}
	// bytes.Reader is an io.ByteReader, so flate reads no further than the
	// end of the stream (its Adler-32): what is left was appended. A staff
	// passport is one stream and nothing else, so the text has one reading.
	if !allowTrailing && br.Len() != 0 {
		return nil, newError(ReasonBadCompression, fmt.Sprintf("%d bytes follow the end of the compressed data (appended data or a second stream)", br.Len()), nil)
	}
	return out, nil
}

// ParseCOSE parses a COSE_Sign1 message, tagged or untagged.
func ParseCOSE(b []byte) (*Signed, error) { return parseCOSE(b, false) }

// cwtTag is the CBOR tag 61 (RFC 8392 §6) some EU DCC issuers wrap around
// the COSE_Sign1 tag 18.
var cwtTag = []byte{0xd8, 0x3d}

// parseCOSE parses a COSE_Sign1 message. With dcc it accepts the EU DCC
// forms real issuers print that EU verifiers accept (docs/security.md,
// "EU DCC forms found in the wild"): a CWT tag 61 around the COSE tag 18;
// alg only in the unprotected header; kid in both headers, where the
// protected one is the one used. None of them lets an unsigned value
// choose anything: the key comes from the trust list by the protected kid
// when there is one, and the algorithm from that key.
func parseCOSE(b []byte, dcc bool) (*Signed, error) {
	if len(b) > MaxInflatedLen {
		return nil, newError(ReasonTooLarge, "the COSE message is over the size limit", nil)
	}
	s := &Signed{COSE: b, msg: cose.NewSign1Message()}
	if dcc && bytes.HasPrefix(b, cwtTag) && len(b) > len(cwtTag) && b[len(cwtTag)] == 0xd2 {
		b, s.CWTTagged = b[len(cwtTag):], true
	}
	var err error
	if len(b) > 0 && b[0] == 0xd2 {
		s.Tagged = true
		err = s.msg.UnmarshalCBOR(b)
	} else {
		var u cose.UntaggedSign1Message
		err = u.UnmarshalCBOR(b)
		s.msg = (*cose.Sign1Message)(&u)
	}
	if err != nil {
		return nil, newError(ReasonBadCOSE, "the data is not a COSE_Sign1 signed message", err)
	}
	if s.msg.Payload == nil {
		return nil, newError(ReasonBadCOSE, "the data is not a COSE_Sign1 signed message", errNoPayload)
	}
	// RFC 9052 §3: a label must not appear in both headers; accepting it
	// would let an unsigned value shadow or confuse a signed one.
	for label := range s.msg.Headers.Unprotected {
		if _, dup := s.msg.Headers.Protected[label]; dup && !(dcc && label == cose.HeaderLabelKeyID) {
			return nil, newError(ReasonBadCOSE, fmt.Sprintf("header parameter %v appears in both the protected and the unprotected header", label), nil)
		}
	}
	s.Alg, err = s.msg.Headers.Protected.Algorithm()
	s.AlgProtected = err == nil
	if errors.Is(err, cose.ErrAlgorithmNotFound) && dcc {
		s.Alg, err = cose.ProtectedHeader(s.msg.Headers.Unprotected).Algorithm()
	}
	if err != nil {
		return nil, newError(ReasonUnsupportedAlg, "the signature algorithm is missing from the protected header", err)
	}
	if kid, ok := s.msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte); ok {
		s.KID, s.KIDProtected = kid, true
	} else if kid, ok := s.msg.Headers.Unprotected[cose.HeaderLabelKeyID].([]byte); ok {
		s.KID = kid
	}
	if len(s.KID) == 0 {
		return nil, newError(ReasonMissingKID, "the message names no signing key (kid)", nil)
	}
	return s, nil
}

// ErrTruncated is wrapped by a decoding error whose text ends before the
// code could: a dangling base45 character or a final pair that is not a
// byte (a group of three cut short), or a zlib stream that stops before
// its end mark. Changing characters of a whole code does not cause
// it (a changed character fails the checksum or the deflate data instead),
// so a reader may ask for the code again rather than call it altered.
var ErrTruncated = errors.New("the text ends before the code does")

// ErrSignature is returned by Verify when the signature does not match.
var ErrSignature = errors.New("the signature does not match the content")

// Verify checks the signature with a trusted public key. The algorithm comes
// from the trusted key (AlgorithmFor, or ES256/PS256 for DCC keys); a
// protected header that names another algorithm fails.
func (s *Signed) Verify(pub crypto.PublicKey) error {
	if k, ok := s.isES256WithP384(pub); ok {
		return s.verifyES256P384(k)
	}
	want, err := AlgorithmFor(pub)
	if err != nil {
		return err
	}
	// An RSA key verifies PS256 only; an EC key ES256 only.
	if s.Alg != want {
		return newError(ReasonUnsupportedAlg, fmt.Sprintf("the message says %v but the trusted key is for %v", s.Alg, want), nil)
	}
	v, err := cose.NewVerifier(want, pub)
	if err != nil {
		return newError(ReasonUnsupportedAlg, "the trusted key cannot verify this algorithm", err)
	}
	if !s.AlgProtected {
		// An HC1 message with alg only in the unprotected header: go-cose
		// insists on a protected alg, so the Sig_structure (RFC 9052 §4.4)
		// is built here. The algorithm is the trusted key's either way.
		tbs, err := cbor.Marshal([]any{"Signature1", cbor.RawMessage(s.msg.Headers.RawProtected), []byte{}, s.msg.Payload})
		if err != nil || v.Verify(tbs, s.msg.Signature) != nil {
			return ErrSignature
		}
		return nil
	}
	if err := s.msg.Verify(nil, v); err != nil {
		return ErrSignature
	}
	return nil
}

// Claims parses the (not yet verified) payload as staff passport claims.
func (s *Signed) Claims() (*Claims, error) {
	if s.Prefix == PrefixDCC {
		return nil, newError(ReasonBadClaims, "this is an EU DCC, not a staff passport", nil)
	}
	return UnmarshalClaims(s.msg.Payload)
}

// StagedClaims parses the (not yet verified) payload in two stages, fixed
// claims then body: see the package function StagedClaims.
func (s *Signed) StagedClaims() (*Claims, error) {
	if s.Prefix == PrefixDCC {
		return nil, newError(ReasonBadClaims, "this is an EU DCC, not a staff passport", nil)
	}
	return StagedClaims(s.msg.Payload)
}
