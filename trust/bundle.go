package trust

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"passport/credential"
	"passport/internal/strictcbor"
)

// BundleContentType is the COSE content type (RFC 9052 §3.1, label 3) in
// the protected header of every trust-list bundle. It separates bundles from
// credentials: a COSE message without it is never read as a bundle, so a
// signature made for one purpose cannot be replayed as the other.
const BundleContentType = "application/vnd.passport.trust-list+cbor"

// Errors of bundle parsing and verification. Every error returned by
// ParseSignedBundle, SignedBundle.Verify and UnmarshalBundle wraps one.
var (
	// ErrBundleMalformed: the file is not a well-formed trust-list bundle.
	ErrBundleMalformed = errors.New("malformed trust-list bundle")
	// ErrBundleSignature: the bundle's signature does not verify with the anchor key.
	ErrBundleSignature = errors.New("trust-list bundle signature does not verify")
	// ErrUpdateRequired: the bundle or statement lists, as one a reader must
	// understand (key 0), a field this version does not know. It also wraps
	// ErrBundleMalformed.
	ErrUpdateRequired = errors.New("this version of passport does not understand a field the file marks as required: update passport")
)

// updateRequired wraps both ErrUpdateRequired and ErrBundleMalformed, so a
// caller that only knows the latter still refuses.
type updateRequired struct{ msg string }

func (e *updateRequired) Error() string { return e.msg }
func (e *updateRequired) Is(target error) bool {
	return target == ErrUpdateRequired || target == ErrBundleMalformed
}

// Issuer key status values in a bundle.
const (
	StatusActive  = 0 // the key may sign credentials within its validity window
	StatusRevoked = 1 // the key is revoked, for all credentials or those issued from RevokedFrom
)

// Bundle is a trust list as an authority publishes it: its version
// (strictly increasing), when it was issued and when it expires, the issuer
// keys sites should trust and the revoked credential ids. docs/format.md
// ("Trust-list bundles") specifies its encoding.
type Bundle struct {
	Version int64
	Issued  time.Time
	Expires time.Time
	Issuers []BundleIssuer
	// Revoked holds revoked credential ids: a passport's cti (16 bytes) or
	// an EU DCC certificate identifier ("ci") as its UTF-8 bytes.
	Revoked [][]byte
	// Revocations holds revoked ids with a reason or a time they apply
	// from (key 6). An id is in Revoked or here, never both.
	Revocations []RevokedEntry
	// TimestampKey, when set, is the PKIX DER of the ECDSA P-256 key the
	// authority delegates freshness to (key 7): statements it signs say
	// this bundle is still the newest. Nil: the bundle names no such key
	// and sites treat it as before freshness existed.
	TimestampKey []byte
	// FreshFor is how long after Issued the bundle alone counts as
	// confirmed, for sites that import it by hand; only with TimestampKey.
	FreshFor time.Duration
	// Policies are the site policies the authority publishes with the
	// list (key 8), by name: the policy JSON of docs/policy, which a site
	// picks by name instead of writing its own. The policy package checks
	// their content; a bundle only carries them, bounded.
	Policies []BundlePolicy
}

// BundlePolicy is one named site policy in a bundle.
type BundlePolicy struct {
	Name string // 1 to MaxPolicyNameLen of letters, digits, '-', '_', '.'
	JSON []byte // at most MaxBundlePolicyBytes
}

// BundleIssuer is one issuer key in a bundle.
type BundleIssuer struct {
	KID         []byte // 8 bytes; KeyID(Certificate) when a certificate is given
	OrgCode     string
	OrgName     string
	PublicKey   []byte    // PKIX DER SubjectPublicKeyInfo
	Certificate []byte    // X.509 DER, optional
	ValidFrom   time.Time // zero = unbounded
	ValidUntil  time.Time // zero = unbounded
	Revoked     bool
	RevokedFrom time.Time // compromise date; zero with Revoked = every credential
	// Kind and Country bind the key to what it may sign (TrustedKey.Kind).
	// An entry without them, as in bundles made before they existed, is a
	// staff-passport issuer.
	Kind    KeyKind
	Country string
	// Contact is who to call about the organisation's passports ("Workforce
	// team, 0114 000 0000"), shown in the next step of a refusal; empty
	// when the authority gave none (key 12, MaxIssuerContactLen).
	Contact string
	// DCCTypes are the DCC types a KindDCC key may sign (TrustedKey.DCCTypes),
	// empty for every type (key 13, CheckDCCTypes).
	DCCTypes []DCCType
}

// TrustedKey converts the entry to the form a TrustStore returns, parsing
// its public key.
func (bi *BundleIssuer) TrustedKey() (*TrustedKey, error) {
	pub, err := x509.ParsePKIXPublicKey(bi.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: issuer %q key %x: public key: %v", ErrBundleMalformed, bi.OrgCode, bi.KID, err)
	}
	return &TrustedKey{KID: bytes.Clone(bi.KID), OrgCode: bi.OrgCode, OrgName: bi.OrgName, PublicKey: pub,
		ValidFrom: bi.ValidFrom, ValidUntil: bi.ValidUntil, Revoked: bi.Revoked, RevokedFrom: bi.RevokedFrom,
		Source: SourceBundle, Kind: bi.kind(), Country: bi.Country, Contact: bi.Contact,
		DCCTypes: append([]DCCType(nil), bi.DCCTypes...)}, nil
}

func (bi *BundleIssuer) kind() KeyKind {
	if bi.Kind == "" {
		return KindStaff
	}
	return bi.Kind
}

// wire forms: small integer keys, dates as unix seconds.
type wireBundle struct {
	// Crit lists the keys a reader must understand (like COSE's crit,
	// RFC 9052 §3.1): any other key a reader does not know it ignores.
	Crit    []uint64     `cbor:"0,keyasint,omitempty"`
	Version int64        `cbor:"1,keyasint"`
	Issued  int64        `cbor:"2,keyasint"`
	Expires int64        `cbor:"3,keyasint"`
	Issuers []wireIssuer `cbor:"4,keyasint"`
	Revoked [][]byte     `cbor:"5,keyasint"`
	// Key 6 is left out when empty, so a bundle without reasons is
	// byte for byte the first release's format.
	Revocations []wireRevoked `cbor:"6,keyasint,omitempty"`
	// Key 7 is left out without a timestamp key.
	Freshness *wireFreshness `cbor:"7,keyasint,omitempty"`
	// Key 8 is left out without policies.
	Policies map[string][]byte `cbor:"8,keyasint,omitempty"`
}

type wireFreshness struct {
	Key      []byte `cbor:"1,keyasint"` // PKIX DER, ECDSA P-256
	FreshFor uint64 `cbor:"2,keyasint"` // seconds
}

// Keys this version understands, for the crit lists (key 0).
var (
	knownBundleKeys = map[uint64]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true}
	knownIssuerKeys = map[uint64]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true, 10: true, 11: true, 12: true, 13: true}
)

// checkCrit refuses a crit list naming a key this version does not know.
func checkCrit(what string, crit []uint64, known map[uint64]bool) error {
	for _, k := range crit {
		if !known[k] {
			return &updateRequired{fmt.Sprintf("%v: %s marks key %d as required, and this version does not know it: update passport on this computer", ErrUpdateRequired, what, k)}
		}
	}
	return nil
}

type wireRevoked struct {
	ID     []byte `cbor:"1,keyasint"`
	Reason int    `cbor:"2,keyasint,omitempty"`
	From   *int64 `cbor:"3,keyasint,omitempty"`
}

type wireIssuer struct {
	Crit        []uint64 `cbor:"0,keyasint,omitempty"` // as the bundle's, for an issuer entry's keys
	KID         []byte   `cbor:"1,keyasint"`
	OrgCode     string   `cbor:"2,keyasint"`
	OrgName     string   `cbor:"3,keyasint"`
	PublicKey   []byte   `cbor:"4,keyasint"`
	Certificate []byte   `cbor:"5,keyasint,omitempty"`
	ValidFrom   *int64   `cbor:"6,keyasint,omitempty"`
	ValidUntil  *int64   `cbor:"7,keyasint,omitempty"`
	Status      int      `cbor:"8,keyasint"`
	RevokedFrom *int64   `cbor:"9,keyasint,omitempty"`
	Kind        int      `cbor:"10,keyasint,omitempty"` // wireKindStaff (absent) or wireKindDCC
	Country     string   `cbor:"11,keyasint,omitempty"` // DCC signers only
	Contact     string   `cbor:"12,keyasint,omitempty"` // who to call; readers before it ignore it
	// DCCTypes: the DCC types ("v", "t", "r") a DCC signer may sign, left
	// out for every type. A reader before it ignores it and lets the key
	// sign every type, as it did before.
	DCCTypes []string `cbor:"13,keyasint,omitempty"`
}

// Kinds on the wire: absent (0) is a staff-passport issuer, so bundles
// made before the field existed keep their meaning.
const (
	wireKindStaff = 0
	wireKindDCC   = 1
)

var (
	bundleEnc cbor.EncMode
	bundleDec cbor.DecMode
)

func init() {
	eo := cbor.CoreDetEncOptions()
	eo.NilContainers = cbor.NilContainerAsEmpty
	var err error
	if bundleEnc, err = eo.EncMode(); err != nil {
		panic(err)
	}
	bundleDec = strictcbor.DecMode(strictcbor.Limits{Nesting: maxBundleNesting, ArrayElements: MaxBundleRevoked,
		MapPairs: maxBundleMapPairs})
}

func unixPtr(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.Unix()
	return &n
}

func timePtr(p *int64) time.Time {
	if p == nil {
		return time.Time{}
	}
	return time.Unix(*p, 0).UTC()
}

// MarshalBundle validates b and encodes it as deterministic CBOR (the COSE
// payload of a signed bundle).
func MarshalBundle(b *Bundle) ([]byte, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	w := wireBundle{Version: b.Version, Issued: b.Issued.Unix(), Expires: b.Expires.Unix(),
		Issuers: make([]wireIssuer, 0, len(b.Issuers)), Revoked: b.Revoked}
	for _, r := range b.Revocations {
		w.Revocations = append(w.Revocations, wireRevoked{ID: r.ID, Reason: r.Reason, From: unixPtr(r.From)})
	}
	if b.TimestampKey != nil {
		w.Freshness = &wireFreshness{Key: b.TimestampKey, FreshFor: uint64(b.FreshFor / time.Second)}
	}
	if len(b.Policies) > 0 {
		w.Policies = make(map[string][]byte, len(b.Policies))
		for _, p := range b.Policies {
			w.Policies[p.Name] = p.JSON
		}
	}
	for _, i := range b.Issuers {
		st := StatusActive
		if i.Revoked {
			st = StatusRevoked
		}
		w.Issuers = append(w.Issuers, wireIssuer{KID: i.KID, OrgCode: i.OrgCode, OrgName: i.OrgName,
			PublicKey: i.PublicKey, Certificate: i.Certificate, ValidFrom: unixPtr(i.ValidFrom),
			ValidUntil: unixPtr(i.ValidUntil), Status: st, RevokedFrom: unixPtr(i.RevokedFrom),
			Kind: wireKindOf(i.kind()), Country: i.Country, Contact: i.Contact, DCCTypes: wireDCCTypes(i.DCCTypes)})
	}
	return bundleEnc.Marshal(w)
}

// UnmarshalBundle decodes and validates a bundle payload. It is strict
// about form: duplicate keys, indefinite lengths, tags, trailing bytes, a
// non-deterministic encoding and any entry Validate refuses are errors
// wrapping ErrBundleMalformed. It is lenient about content it does not
// know: an unknown key in the bundle or an issuer entry is ignored (the
// signed file, kept by the importer, still holds it) unless the map's crit
// list (key 0) names it, which is an error wrapping ErrUpdateRequired.
func UnmarshalBundle(payload []byte) (*Bundle, error) {
	if len(payload) > MaxBundleBytes {
		return nil, fmt.Errorf("%w: payload is %d bytes, over the %d-byte limit", ErrBundleMalformed, len(payload), MaxBundleBytes)
	}
	var w wireBundle
	if err := bundleDec.Unmarshal(payload, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBundleMalformed, err)
	}
	if len(w.Issuers) > MaxBundleIssuers {
		return nil, fmt.Errorf("%w: %d issuer keys, over the limit of %d", ErrBundleMalformed, len(w.Issuers), MaxBundleIssuers)
	}
	if err := checkDeterministic(payload); err != nil {
		return nil, fmt.Errorf("%w: not deterministically encoded (RFC 8949 §4.2.1): %v", ErrBundleMalformed, err)
	}
	// What this version knows must also be written the one way it writes
	// it (no null for an empty list, no default value spelled out), so the
	// known part must re-encode to exactly its bytes.
	known, err := knownBundlePart(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBundleMalformed, err)
	}
	again, err := bundleEnc.Marshal(w)
	if err != nil || !bytes.Equal(again, known) {
		return nil, fmt.Errorf("%w: not deterministically encoded (RFC 8949 §4.2.1): a field is written other than as passport writes it", ErrBundleMalformed)
	}
	if err := checkCrit("the bundle", w.Crit, knownBundleKeys); err != nil {
		return nil, err
	}
	for n, i := range w.Issuers {
		if err := checkCrit(fmt.Sprintf("issuer entry %d", n+1), i.Crit, knownIssuerKeys); err != nil {
			return nil, err
		}
	}
	if err := w.checkTimes(); err != nil {
		return nil, err
	}
	b := &Bundle{Version: w.Version, Issued: time.Unix(w.Issued, 0).UTC(), Expires: time.Unix(w.Expires, 0).UTC(),
		Issuers: make([]BundleIssuer, 0, len(w.Issuers)), Revoked: w.Revoked}
	for _, r := range w.Revocations {
		b.Revocations = append(b.Revocations, RevokedEntry{ID: r.ID, Revocation: Revocation{Reason: r.Reason, From: timePtr(r.From)}})
	}
	if w.Policies != nil && len(w.Policies) == 0 {
		return nil, fmt.Errorf("%w: an empty policies map (key 8): leave the key out", ErrBundleMalformed)
	}
	for name, data := range w.Policies {
		b.Policies = append(b.Policies, BundlePolicy{Name: name, JSON: data})
	}
	sort.Slice(b.Policies, func(i, j int) bool { return b.Policies[i].Name < b.Policies[j].Name })
	if f := w.Freshness; f != nil {
		if f.FreshFor > uint64(MaxFreshFor/time.Second) {
			return nil, fmt.Errorf("%w: fresh-for %d seconds is over the %v a bundle may give", ErrBundleMalformed, f.FreshFor, MaxFreshFor)
		}
		b.TimestampKey, b.FreshFor = f.Key, time.Duration(f.FreshFor)*time.Second
		if b.TimestampKey == nil {
			b.TimestampKey = []byte{}
		}
	}
	for n, i := range w.Issuers {
		if i.Status != StatusActive && i.Status != StatusRevoked {
			return nil, fmt.Errorf("%w: issuer entry %d: status %d is neither 0 (active) nor 1 (revoked)", ErrBundleMalformed, n+1, i.Status)
		}
		kind := KindStaff
		switch i.Kind {
		case wireKindStaff:
		case wireKindDCC:
			kind = KindDCC
		default:
			return nil, fmt.Errorf("%w: issuer entry %d: kind %d is neither 0 (staff passports) nor 1 (EU DCCs)", ErrBundleMalformed, n+1, i.Kind)
		}
		types := dccTypesOfWire(i.DCCTypes)
		if types == nil && kind == KindDCC && i.Certificate != nil {
			// A bundle made before key 13 still carries the signer's
			// certificate: its key usage restricts the signer all the
			// same. (A certificate that does not parse is refused by
			// Validate below.)
			if cert, err := x509.ParseCertificate(i.Certificate); err == nil {
				types = DCCTypesOf(cert)
			}
		}
		b.Issuers = append(b.Issuers, BundleIssuer{KID: i.KID, OrgCode: i.OrgCode, OrgName: i.OrgName,
			PublicKey: i.PublicKey, Certificate: i.Certificate, ValidFrom: timePtr(i.ValidFrom),
			ValidUntil: timePtr(i.ValidUntil), Revoked: i.Status == StatusRevoked, RevokedFrom: timePtr(i.RevokedFrom),
			Kind: kind, Country: i.Country, Contact: i.Contact, DCCTypes: types})
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

// Validate checks a bundle before signing and after decoding: a positive
// version, issue before expiry, every issuer entry well formed (8-byte kid,
// organisation code and name, a supported public key, a certificate that
// matches its kid and key, an ordered validity window, a compromise date
// only on a revoked key), no kid twice, and every revoked id 1 to
// MaxRevokedIDLen bytes and listed once. Errors wrap ErrBundleMalformed and
// name the entry.
func (b *Bundle) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBundleMalformed, fmt.Sprintf(format, a...))
	}
	switch {
	case b == nil:
		return bad("no bundle")
	case b.Version <= 0:
		return bad("version %d: versions start at 1", b.Version)
	case b.Version > MaxBundleVersion:
		return bad("version %d is over the largest a bundle may carry (2^53 = %d): number bundles 1, 2, 3…", b.Version, int64(MaxBundleVersion))
	case b.Issued.IsZero() || b.Expires.IsZero():
		return bad("issue and expiry dates are required")
	case !inBundleRange(b.Issued) || !inBundleRange(b.Expires):
		return bad("issued %s or expires %s is outside the years 1970-9999 a bundle may carry", b.Issued.UTC().Format(time.RFC3339), b.Expires.UTC().Format(time.RFC3339))
	case !b.Expires.After(b.Issued):
		return bad("expires (%s) is not after issued (%s)", b.Expires.UTC().Format(time.RFC3339), b.Issued.UTC().Format(time.RFC3339))
	case len(b.Issuers) > MaxBundleIssuers:
		return bad("%d issuer keys, over the limit of %d", len(b.Issuers), MaxBundleIssuers)
	case len(b.Revoked)+len(b.Revocations) > MaxBundleRevoked:
		return bad("%d revoked ids, over the limit of %d", len(b.Revoked)+len(b.Revocations), MaxBundleRevoked)
	case b.TimestampKey == nil && b.FreshFor != 0:
		return bad("fresh-for is given without a timestamp key")
	case b.FreshFor < 0 || b.FreshFor > MaxFreshFor || b.FreshFor%time.Second != 0:
		return bad("fresh-for %v is not whole seconds from 0 to %v", b.FreshFor, MaxFreshFor)
	}
	if b.TimestampKey != nil {
		if _, err := ParseTimestampKey(b.TimestampKey); err != nil {
			return bad("timestamp key: %v", err)
		}
	}
	if len(b.Policies) > MaxBundlePolicies {
		return bad("%d policies, over the limit of %d", len(b.Policies), MaxBundlePolicies)
	}
	names := map[string]bool{}
	for _, p := range b.Policies {
		if err := ValidPolicyName(p.Name); err != nil {
			return bad("%v", err)
		}
		if names[p.Name] {
			return bad("policy %q is listed twice", p.Name)
		}
		names[p.Name] = true
		if len(p.JSON) == 0 || len(p.JSON) > MaxBundlePolicyBytes {
			return bad("policy %q is %d bytes: give 1 to %d", p.Name, len(p.JSON), MaxBundlePolicyBytes)
		}
	}
	seen := make(map[string]int, len(b.Issuers))
	for n := range b.Issuers {
		i := &b.Issuers[n]
		if err := i.validate(); err != nil {
			return bad("issuer entry %d (%s, kid %x): %v", n+1, printable(i.OrgCode), i.KID, err)
		}
		if first, dup := seen[string(i.KID)]; dup {
			return bad("issuer entries %d and %d have the same key id %x: each key id may be listed once", first, n+1, i.KID)
		}
		seen[string(i.KID)] = n + 1
	}
	ids := make(map[string]struct{}, len(b.Revoked))
	for n, id := range b.Revoked {
		if len(id) == 0 || len(id) > MaxRevokedIDLen {
			return bad("revoked id %d is %d bytes: ids are 1 to %d bytes", n+1, len(id), MaxRevokedIDLen)
		}
		if _, dup := ids[string(id)]; dup {
			return bad("revoked id %d (%s) is listed twice", n+1, RevokedIDString(id))
		}
		ids[string(id)] = struct{}{}
	}
	for n, r := range b.Revocations {
		if err := r.validate(ids); err != nil {
			return bad("revocation %d (%s): %v", n+1, RevokedIDString(r.ID), err)
		}
	}
	return nil
}

// validate checks one revocation with a reason or time, and that its id
// is not listed before (ids holds those already seen).
func (r *RevokedEntry) validate(ids map[string]struct{}) error {
	if len(r.ID) == 0 || len(r.ID) > MaxRevokedIDLen {
		return fmt.Errorf("the id is %d bytes: ids are 1 to %d bytes", len(r.ID), MaxRevokedIDLen)
	}
	if _, dup := ids[string(r.ID)]; dup {
		return errors.New("the id is listed twice")
	}
	ids[string(r.ID)] = struct{}{}
	switch {
	case r.Reason < 0:
		return fmt.Errorf("reason %d: reasons are 1 or more", r.Reason)
	case r.Reason == 0 && r.From.IsZero():
		return errors.New("neither a reason nor a time: list the id among the plain revoked ids (key 5)")
	case !r.From.IsZero() && (r.From.Unix() < 0 || r.From.Year() > 9999):
		return fmt.Errorf("from %d is outside the years 1970-9999", r.From.Unix())
	}
	return nil
}

func (i *BundleIssuer) validate() error {
	if len(i.KID) != KeyIDLen {
		return fmt.Errorf("key id is %d bytes, not %d", len(i.KID), KeyIDLen)
	}
	if err := validLabel("organisation code", i.OrgCode); err != nil {
		return err
	}
	if err := validLabel("organisation name", i.OrgName); err != nil {
		return err
	}
	if len(i.PublicKey) == 0 || len(i.PublicKey) > MaxBundleCertLen {
		return fmt.Errorf("public key is %d bytes: give a PKIX key of at most %d bytes", len(i.PublicKey), MaxBundleCertLen)
	}
	pub, err := x509.ParsePKIXPublicKey(i.PublicKey)
	if err != nil {
		return fmt.Errorf("public key is not a PKIX SubjectPublicKeyInfo: %v", err)
	}
	if err := CheckPublicKeyFor(pub, i.kind()); err != nil {
		return err
	}
	var cert *x509.Certificate
	if i.Certificate != nil {
		if len(i.Certificate) > MaxBundleCertLen {
			return fmt.Errorf("certificate is %d bytes, over the %d-byte limit", len(i.Certificate), MaxBundleCertLen)
		}
		cert, err = x509.ParseCertificate(i.Certificate)
		if err != nil {
			return fmt.Errorf("certificate is not valid X.509: %v", err)
		}
		if !bytes.Equal(cert.RawSubjectPublicKeyInfo, i.PublicKey) {
			return errors.New("certificate's public key differs from the entry's public key")
		}
		if !bytes.Equal(KeyID(i.Certificate), i.KID) {
			return fmt.Errorf("key id is not the certificate's (%x): kid must be SHA-256(certificate DER)[:8]", KeyID(i.Certificate))
		}
	}
	for _, d := range []struct {
		what string
		t    time.Time
	}{{"valid from", i.ValidFrom}, {"valid until", i.ValidUntil}, {"revoked from", i.RevokedFrom}} {
		// Sites refuse a bundle with such a date (checkTimes), so the
		// authority must never sign one: a certificate valid from 1950
		// would make every site refuse the whole bundle.
		if !d.t.IsZero() && !inBundleRange(d.t) {
			return fmt.Errorf("%s %s is outside the years 1970-9999 a bundle may carry: give a valid_from/valid_until column within them, or a new certificate", d.what, d.t.UTC().Format(time.RFC3339))
		}
	}
	if !i.ValidFrom.IsZero() && !i.ValidUntil.IsZero() && !i.ValidUntil.After(i.ValidFrom) {
		return fmt.Errorf("valid until (%s) is not after valid from (%s)", i.ValidUntil.UTC().Format(time.DateOnly), i.ValidFrom.UTC().Format(time.DateOnly))
	}
	if !i.Revoked && !i.RevokedFrom.IsZero() {
		return errors.New("a compromise date (revoked_from) is given but the key is not revoked")
	}
	if i.Contact != "" {
		if err := validText("contact", i.Contact, MaxIssuerContactLen); err != nil {
			return err
		}
	}
	if len(i.DCCTypes) > 0 {
		if i.kind() != KindDCC {
			return errors.New("DCC types are given for a staff-passport key: they belong to DCC signers only")
		}
		if err := CheckDCCTypes(i.DCCTypes); err != nil {
			return err
		}
		// The list may narrow what the certificate allows, never widen it.
		if allowed := DCCTypesOf(cert); cert != nil && len(allowed) > 0 {
			k := TrustedKey{DCCTypes: allowed}
			for _, t := range i.DCCTypes {
				if !k.MaySignDCC(t) {
					return fmt.Errorf("DCC type %s is not allowed by the certificate's key usage, which allows %s only", t.Name(), FormatDCCTypes(allowed))
				}
			}
		}
	}
	return CheckBinding(i.kind(), i.Country)
}

// validLabel accepts 1 to MaxOrgNameLen characters of valid UTF-8 without
// control or bidirectional-override characters (they are printed to people).
func validLabel(what, s string) error {
	if s == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	if n := utf8.RuneCountInString(s); n > MaxOrgNameLen {
		return fmt.Errorf("%s is %d characters, over %d", what, n, MaxOrgNameLen)
	}
	for _, r := range s {
		if credential.UnsafeRune(r) {
			return fmt.Errorf("%s contains the control character %U", what, r)
		}
	}
	return nil
}

// ValidPolicyName accepts a bundle policy's name: 1 to MaxPolicyNameLen
// letters, digits, '-', '_' and '.', not starting with '.' (it names a
// file and is typed after --policy-name).
func ValidPolicyName(name string) error {
	if name == "" || len(name) > MaxPolicyNameLen || name[0] == '.' {
		return fmt.Errorf("policy name %.80q is not 1 to %d characters, not starting with '.'", name, MaxPolicyNameLen)
	}
	for _, r := range name {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return fmt.Errorf("policy name %q contains %q: use letters, digits, '-', '_' and '.'", name, r)
		}
	}
	return nil
}

// validText accepts 1 to max characters of valid UTF-8 without control,
// bidirectional or invisible characters (credential.UnsafeRune): the text
// is shown to people at the desk and on paper.
func validText(what, s string, max int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > max {
		return fmt.Errorf("%s is %d characters: give 1 to %d", what, n, max)
	}
	for _, r := range s {
		if credential.UnsafeRune(r) {
			return fmt.Errorf("%s contains the control character %U", what, r)
		}
	}
	return nil
}

func printable(s string) string {
	if validLabel("", s) != nil {
		return fmt.Sprintf("%.40q", s)
	}
	return s
}

// RevokedIDString shows a revoked id as people and revoked.txt write it:
// lower-case hex for a 16-byte passport cti, the text itself for a printable
// DCC certificate identifier, else hex.
func RevokedIDString(id []byte) string {
	if len(id) != 16 && utf8.Valid(id) {
		ok := true
		for _, r := range string(id) {
			if r <= ' ' || r > '~' {
				ok = false
				break
			}
		}
		if ok {
			return string(id)
		}
	}
	return fmt.Sprintf("%x", id)
}

// SignedBundle is a parsed but not yet verified bundle file.
type SignedBundle struct {
	// KID names the authority key that claims to have signed the bundle
	// (protected header); look it up among the pinned anchors.
	KID []byte
	msg *cose.Sign1Message
}

// ParseSignedBundle reads a bundle file as far as its signer's kid: at most
// MaxBundleBytes, a tagged COSE_Sign1 with ES256, a kid and
// BundleContentType in the protected header. It verifies nothing.
func ParseSignedBundle(data []byte) (*SignedBundle, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrBundleMalformed)
	}
	if len(data) > MaxBundleBytes {
		return nil, fmt.Errorf("%w: the file is %d bytes, over the %d-byte limit", ErrBundleMalformed, len(data), MaxBundleBytes)
	}
	if data[0] != 0xd2 { // tag 18, COSE_Sign1_Tagged
		return nil, fmt.Errorf("%w: not a signed trust-list bundle (no COSE_Sign1 tag): give the .bundle file written by `passport authority bundle`", ErrBundleMalformed)
	}
	if err := checkEnvelope(data, MaxBundleBytes); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBundleMalformed, err)
	}
	msg := cose.NewSign1Message()
	if err := msg.UnmarshalCBOR(data); err != nil {
		return nil, fmt.Errorf("%w: not a COSE_Sign1 message: %v", ErrBundleMalformed, err)
	}
	if msg.Payload == nil {
		return nil, fmt.Errorf("%w: the COSE message has no payload", ErrBundleMalformed)
	}
	if ct, _ := msg.Headers.Protected[cose.HeaderLabelContentType].(string); ct != BundleContentType {
		return nil, fmt.Errorf("%w: content type %q is not %q: this signed file is not a trust-list bundle", ErrBundleMalformed, ct, BundleContentType)
	}
	alg, err := msg.Headers.Protected.Algorithm()
	if err != nil || alg != cose.AlgorithmES256 {
		return nil, fmt.Errorf("%w: the protected header must say ES256", ErrBundleMalformed)
	}
	kid, _ := msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte)
	if len(kid) != KeyIDLen {
		return nil, fmt.Errorf("%w: the protected header names no %d-byte authority key id", ErrBundleMalformed, KeyIDLen)
	}
	return &SignedBundle{KID: bytes.Clone(kid), msg: msg}, nil
}

// Verify checks the signature with the pinned authority key pub (ECDSA
// P-256) and returns the decoded, validated bundle. A signature that does
// not verify gives an error wrapping ErrBundleSignature; nothing of the
// payload is decoded before the signature is checked.
func (s *SignedBundle) Verify(pub crypto.PublicKey) (*Bundle, error) {
	ek, ok := pub.(*ecdsa.PublicKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("authority key is %T, not ECDSA P-256", pub)
	}
	v, err := cose.NewVerifier(cose.AlgorithmES256, ek)
	if err != nil {
		return nil, err
	}
	if err := s.msg.Verify(nil, v); err != nil {
		return nil, fmt.Errorf("%w: the file was altered or signed by another key with the same id", ErrBundleSignature)
	}
	return UnmarshalBundle(s.msg.Payload)
}

// IssuerFromCertificate makes a bundle entry from an issuer certificate, as
// `trust add` would trust it: kid = KeyID(cert DER), org code from OrgCodeOf
// else the subject's O, else its CN; validity = the certificate's; kind and
// country from BindingOf; for a DCC signer, the DCC types from DCCTypesOf.
func IssuerFromCertificate(cert *x509.Certificate) (BundleIssuer, error) {
	return issuerFromCertificate(cert, false)
}

// issuerFromCertificate is IssuerFromCertificate; with kindGiven the
// caller sets Kind and Country itself, so a certificate whose binding
// cannot be inferred is not an error.
func issuerFromCertificate(cert *x509.Certificate, kindGiven bool) (BundleIssuer, error) {
	if cert == nil || len(cert.Raw) == 0 {
		return BundleIssuer{}, errors.New("no certificate")
	}
	name := strings.TrimSpace(cert.Subject.CommonName)
	if len(cert.Subject.Organization) > 0 && strings.TrimSpace(cert.Subject.Organization[0]) != "" {
		name = strings.TrimSpace(cert.Subject.Organization[0])
	}
	code := OrgCodeOf(cert)
	if code == "" {
		code = name
	}
	if code == "" {
		return BundleIssuer{}, fmt.Errorf("certificate %q names no organisation (no passport org code, O or CN)", cert.Subject.String())
	}
	if name == "" {
		name = code
	}
	kind, country, err := BindingOf(cert)
	if err != nil && !kindGiven {
		return BundleIssuer{}, err
	}
	// With kindGiven the caller sets the kind; Bundle.Validate checks the
	// key against it before the bundle is signed.
	if err := CheckPublicKeyFor(cert.PublicKey, map[bool]KeyKind{true: KindDCC, false: kind}[kindGiven]); err != nil {
		return BundleIssuer{}, fmt.Errorf("certificate %q: %w", cert.Subject.String(), err)
	}
	// A DCC signer may sign what its certificate's key usage allows; a
	// caller that gives the kind clears them for a staff key.
	var types []DCCType
	if kind == KindDCC || kindGiven {
		types = DCCTypesOf(cert)
	}
	return BundleIssuer{KID: KeyID(cert.Raw), OrgCode: code, OrgName: name,
		PublicKey: bytes.Clone(cert.RawSubjectPublicKeyInfo), Certificate: bytes.Clone(cert.Raw),
		ValidFrom: cert.NotBefore.UTC(), ValidUntil: cert.NotAfter.UTC(), Kind: kind, Country: country, DCCTypes: types}, nil
}

func wireDCCTypes(types []DCCType) []string {
	var out []string
	for _, t := range types {
		out = append(out, string(t))
	}
	return out
}

func dccTypesOfWire(types []string) []DCCType {
	var out []DCCType
	for _, t := range types {
		out = append(out, DCCType(t))
	}
	return out
}

func wireKindOf(k KeyKind) int {
	if k == KindDCC {
		return wireKindDCC
	}
	return wireKindStaff
}

// Bundle dates are unix seconds from 1970 to the end of 9999. Outside that
// range time.Time arithmetic overflows (time.Unix(math.MaxInt64, 0) compares
// as before 1970), so a date beyond it would be refused with a misleading
// message, or worse, compared wrongly; it is refused first, by name.
const (
	minBundleUnix = 0
	maxBundleUnix = 253402300799 // 9999-12-31T23:59:59Z
)

// inBundleRange reports whether t can be carried in a bundle.
func inBundleRange(t time.Time) bool {
	return t.Unix() >= minBundleUnix && t.Unix() <= maxBundleUnix
}

func (w *wireBundle) checkTimes() error {
	check := func(what string, v int64) error {
		if v < minBundleUnix || v > maxBundleUnix {
			return fmt.Errorf("%w: %s is %d seconds, outside the dates a bundle may carry (1970 to 9999): the bundle was made wrongly; ask the authority for a corrected one", ErrBundleMalformed, what, v)
		}
		return nil
	}
	if err := check("issued", w.Issued); err != nil {
		return err
	}
	if err := check("expires", w.Expires); err != nil {
		return err
	}
	for n, i := range w.Issuers {
		for _, f := range []struct {
			what string
			v    *int64
		}{{"valid from", i.ValidFrom}, {"valid until", i.ValidUntil}, {"revoked from", i.RevokedFrom}} {
			if f.v != nil {
				if err := check(fmt.Sprintf("issuer entry %d: %s", n+1, f.what), *f.v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
