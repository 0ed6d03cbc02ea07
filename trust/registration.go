package trust

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"passport/credential"
	"passport/internal/strictcbor"
)

// RegistrationContentType is the COSE content type in the protected header
// of an organisation's registration request. It keeps requests apart from
// credentials and bundles: a signature made for one is never read as another.
const RegistrationContentType = "application/vnd.passport.registration+cbor"

// RegistrationPurpose is the first field of a request's payload and names
// its version.
const RegistrationPurpose = "passport-registration/1"

// Limits of a registration request, read from a file an unknown
// organisation sends to the authority.
const (
	// MaxRegistrationBytes caps a request file: one certificate (at most
	// MaxBundleCertLen) plus a few short strings.
	MaxRegistrationBytes = 64 << 10
	// MaxContactLen caps the contact: the longest e-mail address SMTP carries (RFC 5321).
	MaxContactLen = 254
	// maxRegistrationPairs: the payload map has 6 keys; 16 is the CBOR
	// library's smallest allowed cap.
	maxRegistrationPairs = 16
)

// Errors of ParseRegistration; every error it returns wraps one.
var (
	// ErrRegistrationMalformed: the file is not a well-formed registration request.
	ErrRegistrationMalformed = errors.New("malformed registration request")
	// ErrRegistrationSignature: the request is not signed by the key of the
	// certificate it carries (no proof of possession: forged or altered).
	ErrRegistrationSignature = errors.New("the registration request is not signed by its certificate's key")
	// ErrRegistrationMismatch: the org code or name differs from the certificate's.
	ErrRegistrationMismatch = errors.New("the registration request does not match its certificate")
)

// Registration is an organisation's request to be listed in the trust
// authority's bundles: its issuer certificate, org code and name, a contact,
// and when it was made. ParseRegistration returns it only after the
// signature by the certificate's own key has been checked.
type Registration struct {
	Certificate *x509.Certificate
	KID         []byte // KeyID(Certificate.Raw)
	OrgCode     string
	OrgName     string
	Contact     string // optional e-mail address; for the authority's records, never in a bundle
	Created     time.Time
}

// wireRegistration has text keys: its CBOR never decodes as the integer-keyed
// claims of a credential.
type wireRegistration struct {
	Purpose string `cbor:"purpose"`
	Cert    []byte `cbor:"cert"`
	OrgCode string `cbor:"org_code"`
	OrgName string `cbor:"org_name"`
	Contact string `cbor:"contact,omitempty"`
	Created int64  `cbor:"created"`
}

var registrationDec = func() cbor.DecMode {
	// The payload is one flat map with no arrays: the library's minimum
	// nesting and array length.
	return strictcbor.DecMode(strictcbor.Limits{Nesting: 4, ArrayElements: 16, MapPairs: maxRegistrationPairs,
		RefuseUnknownFields: true})
}()

// MarshalRegistrationPayload encodes r (certificate, org code and name,
// contact, creation time) as the payload the issuer key signs. It checks r
// as ParseRegistration will.
func MarshalRegistrationPayload(r *Registration) ([]byte, error) {
	if r == nil || r.Certificate == nil {
		return nil, errors.New("registration has no certificate")
	}
	w := wireRegistration{Purpose: RegistrationPurpose, Cert: r.Certificate.Raw, OrgCode: r.OrgCode,
		OrgName: r.OrgName, Contact: r.Contact, Created: r.Created.Unix()}
	if err := checkRegistration(r.Certificate, &w); err != nil {
		return nil, err
	}
	return bundleEnc.Marshal(w)
}

// ParseRegistration reads a registration request: at most
// MaxRegistrationBytes, a tagged COSE_Sign1 with ES256, the certificate's
// kid and RegistrationContentType in the protected header, and a payload
// whose certificate is an ECDSA P-256 one. It then checks the signature with
// that certificate's key (proof of possession: ErrRegistrationSignature),
// and that the org code (the certificate's urn:passport:org: name) and org
// name (its O, else CN) are the certificate's (ErrRegistrationMismatch).
// It does not say the organisation is who it claims: the authority confirms
// that out of band (the certificate fingerprint, read over the phone).
func ParseRegistration(data []byte) (*Registration, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrRegistrationMalformed, fmt.Sprintf(format, a...))
	}
	if len(data) == 0 || len(data) > MaxRegistrationBytes {
		return nil, bad("the file is %d bytes; a request is 1 to %d", len(data), MaxRegistrationBytes)
	}
	if data[0] != 0xd2 {
		return nil, bad("not a signed request (no COSE_Sign1 tag): give the registration.req that 'passport keys new' wrote")
	}
	if err := checkEnvelope(data, MaxRegistrationBytes); err != nil {
		return nil, bad("%v", err)
	}
	msg := cose.NewSign1Message()
	if err := msg.UnmarshalCBOR(data); err != nil {
		return nil, bad("not a COSE_Sign1 message: %v", err)
	}
	if ct, _ := msg.Headers.Protected[cose.HeaderLabelContentType].(string); ct != RegistrationContentType {
		return nil, bad("content type %q is not %q: this signed file is not a registration request", ct, RegistrationContentType)
	}
	if alg, err := msg.Headers.Protected.Algorithm(); err != nil || alg != cose.AlgorithmES256 {
		return nil, bad("the protected header must say ES256")
	}
	kid, _ := msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte)
	var w wireRegistration
	if err := registrationDec.Unmarshal(msg.Payload, &w); err != nil {
		return nil, bad("payload: %v", err)
	}
	if w.Purpose != RegistrationPurpose {
		return nil, bad("purpose %.40q is not %q", w.Purpose, RegistrationPurpose)
	}
	if len(w.Cert) == 0 || len(w.Cert) > MaxBundleCertLen {
		return nil, bad("certificate is %d bytes; at most %d", len(w.Cert), MaxBundleCertLen)
	}
	cert, err := x509.ParseCertificate(w.Cert)
	if err != nil {
		return nil, bad("certificate: %v", err)
	}
	if !bytes.Equal(kid, KeyID(cert.Raw)) {
		return nil, bad("the protected key id %x is not the certificate's %x", kid, KeyID(cert.Raw))
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, bad("the certificate's key is %T, not ECDSA P-256 as 'passport keys new' makes", cert.PublicKey)
	}
	v, err := cose.NewVerifier(cose.AlgorithmES256, pub)
	if err != nil {
		return nil, err
	}
	if err := msg.Verify(nil, v); err != nil {
		return nil, fmt.Errorf("%w: the file was altered, or made without the private key of the certificate inside it", ErrRegistrationSignature)
	}
	if err := checkRegistration(cert, &w); err != nil {
		return nil, err
	}
	return &Registration{Certificate: cert, KID: KeyID(cert.Raw), OrgCode: w.OrgCode, OrgName: w.OrgName,
		Contact: w.Contact, Created: time.Unix(w.Created, 0).UTC()}, nil
}

// checkRegistration checks the fields against each other and the certificate.
func checkRegistration(cert *x509.Certificate, w *wireRegistration) error {
	bi, err := IssuerFromCertificate(cert)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRegistrationMalformed, err)
	}
	// The entry must be one every site accepts in a bundle (a certificate
	// valid from before 1970 is not), or registering it would make every
	// later bundle unusable.
	if err := bi.validate(); err != nil {
		return fmt.Errorf("%w: the certificate cannot be listed in a bundle: %v", ErrRegistrationMalformed, err)
	}
	if err := ValidateOrgCode(w.OrgCode); err != nil {
		return fmt.Errorf("%w: %v", ErrRegistrationMalformed, err)
	}
	if err := validLabel("organisation name", w.OrgName); err != nil {
		return fmt.Errorf("%w: %v", ErrRegistrationMalformed, err)
	}
	if code := OrgCodeOf(cert); code != w.OrgCode {
		return fmt.Errorf("%w: it names org code %q, the certificate %q", ErrRegistrationMismatch, w.OrgCode, code)
	}
	if bi.OrgName != w.OrgName {
		return fmt.Errorf("%w: it names %q, the certificate %q", ErrRegistrationMismatch, printable(w.OrgName), printable(bi.OrgName))
	}
	if err := CheckContact(w.Contact); err != nil {
		return fmt.Errorf("%w: %v", ErrRegistrationMalformed, err)
	}
	if w.Created <= 0 {
		return fmt.Errorf("%w: no creation time", ErrRegistrationMalformed)
	}
	return nil
}

// CheckContact accepts an empty contact or an e-mail address: at most
// MaxContactLen characters, one '@' with text either side, no spaces,
// control characters or separators that would break a CSV comment or a log line.
func CheckContact(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxContactLen || !utf8.ValidString(s) {
		return fmt.Errorf("contact %.40q is not an e-mail address of at most %d characters", s, MaxContactLen)
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return fmt.Errorf("contact %.60q is not an e-mail address (name@example.org)", s)
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == ',' || r == '"' || r == '<' || r == '>' || r == ';' || credential.UnsafeRune(r) {
			return fmt.Errorf("contact %.60q contains %q: give a plain e-mail address", s, r)
		}
	}
	return nil
}
