package trust

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Sources of a trusted key.
const (
	SourceDirect = "direct" // trusted by `trust add CERT`
	SourceBundle = "bundle" // listed in a signed trust-list bundle
)

// RSA modulus sizes accepted for issuer keys (PS256, as EU DCC uses).
const (
	// MinRSABits: below 2048 bits RSA is no longer considered safe (NIST SP 800-131A).
	MinRSABits = 2048
	// MaxRSABits bounds the cost of one verification; real DCC keys are 2048–4096 bits.
	MaxRSABits = 8192
)

// Errors of a TrustStore and of TrustedKey.CheckIssuedAt.
var (
	// ErrUnknownKey: no trusted key has this kid.
	ErrUnknownKey = errors.New("no trusted issuer key has this key id")
	// ErrKeyNotYetValid: the credential was issued before the key's validity window.
	ErrKeyNotYetValid = errors.New("credential issued before its issuer key became valid")
	// ErrKeyExpired: the credential was issued after the key's validity window.
	ErrKeyExpired = errors.New("credential issued after its issuer key expired")
	// ErrKeyRevoked: the key is revoked for credentials issued at that time.
	ErrKeyRevoked = errors.New("issuer key is revoked")
)

// TrustedKey is one issuer public key the site trusts.
type TrustedKey struct {
	KID         []byte
	OrgCode     string
	OrgName     string
	PublicKey   crypto.PublicKey // *ecdsa.PublicKey (P-256), *rsa.PublicKey (for PS256, EU DCC) or ed25519.PublicKey
	ValidFrom   time.Time        // zero = unbounded
	ValidUntil  time.Time        // zero = unbounded
	Revoked     bool
	RevokedFrom time.Time // compromise date: credentials issued (iat) at/after it are invalid; zero with Revoked = all
	Source      string    // SourceDirect ("direct", trust add) or SourceBundle ("bundle")
	// Kind is what the key may sign: KindStaff (SP1: staff passports) or
	// KindDCC (HC1: EU Digital COVID Certificates). Empty means KindStaff,
	// as in stores and bundles made before keys were bound to a kind.
	Kind KeyKind
	// Country is the ISO 3166-1 alpha-2 code of the country whose DCCs a
	// KindDCC key signs (the DCC's iss claim must equal it); empty for
	// KindStaff.
	Country string
	// Contact is who to call about the issuer's passports, as the bundle
	// gives it (cleaned and bounded: trust.MaxIssuerContactLen, no control
	// characters); empty for direct trust and when none was given.
	Contact string
	// DCCTypes are the DCC entry types a KindDCC key may sign, from the
	// extended key usage of its certificate (DCCTypesOf); empty means
	// every type, as for a certificate without the EU's key-usage OIDs
	// and in stores and bundles made before they were read.
	DCCTypes []DCCType
}

// KeyKind says which kind of credential a trusted key may sign. A key of
// one kind never verifies a credential of the other: a staff-passport
// issuer cannot mint an EU DCC, nor a national DCC signer a staff passport.
type KeyKind string

// Kinds of trusted key.
const (
	KindStaff KeyKind = "staff" // signs SP1: staff passports for its org code
	KindDCC   KeyKind = "dcc"   // signs HC1: EU DCCs for its country
)

// KindOf is k's kind, with the empty kind of older stores read as KindStaff.
func (k *TrustedKey) KindOf() KeyKind {
	if k.Kind == "" {
		return KindStaff
	}
	return k.Kind
}

// ParseKind reads a kind as people type it ("staff", "dcc").
func ParseKind(s string) (KeyKind, error) {
	switch KeyKind(s) {
	case KindStaff, KindDCC:
		return KeyKind(s), nil
	}
	return "", fmt.Errorf("key kind %q is neither %q (staff passports) nor %q (EU DCCs)", s, KindStaff, KindDCC)
}

// CheckBinding reports whether kind and country fit together: a DCC key
// needs a two-letter upper-case country code, a staff key has none.
func CheckBinding(kind KeyKind, country string) error {
	switch kind {
	case KindStaff, "":
		if country != "" {
			return fmt.Errorf("a staff-passport key has no country (got %q): give a country only with kind %q", country, KindDCC)
		}
	case KindDCC:
		if !isCountryCode(country) {
			return fmt.Errorf("an EU DCC signer key needs the two-letter country code (ISO 3166-1, e.g. DE) of the DCCs it signs, got %q", country)
		}
	default:
		return fmt.Errorf("key kind %q is neither %q nor %q", kind, KindStaff, KindDCC)
	}
	return nil
}

func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// CheckIssuedAt reports whether a credential issued at iat may be signed by
// this key: iat must lie in [ValidFrom, ValidUntil] and the key must not be
// revoked for that time. The error wraps ErrKeyNotYetValid, ErrKeyExpired or
// ErrKeyRevoked.
func (k *TrustedKey) CheckIssuedAt(iat time.Time) error {
	if k.Revoked && (k.RevokedFrom.IsZero() || !iat.Before(k.RevokedFrom)) {
		if k.RevokedFrom.IsZero() {
			return fmt.Errorf("%w (all its credentials)", ErrKeyRevoked)
		}
		return fmt.Errorf("%w since %s; credential issued %s", ErrKeyRevoked, k.RevokedFrom.UTC().Format(time.RFC3339), iat.UTC().Format(time.RFC3339))
	}
	if !k.ValidFrom.IsZero() && iat.Before(k.ValidFrom) {
		return fmt.Errorf("%w: issued %s, key valid from %s", ErrKeyNotYetValid, iat.UTC().Format(time.RFC3339), k.ValidFrom.UTC().Format(time.RFC3339))
	}
	if !k.ValidUntil.IsZero() && iat.After(k.ValidUntil) {
		return fmt.Errorf("%w: issued %s, key valid until %s", ErrKeyExpired, iat.UTC().Format(time.RFC3339), k.ValidUntil.UTC().Format(time.RFC3339))
	}
	return nil
}

// CheckPublicKey reports whether pub is a key type and size passport accepts
// for issuers: ECDSA P-256, RSA of MinRSABits to MaxRSABits, or Ed25519.
func CheckPublicKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("ECDSA key on curve %s is not supported: issuer keys must use P-256 (ES256)", k.Curve.Params().Name)
		}
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < MinRSABits || n > MaxRSABits {
			return fmt.Errorf("RSA key of %d bits is not supported: use %d to %d bits", n, MinRSABits, MaxRSABits)
		}
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("Ed25519 key of %d bytes is malformed", len(k))
		}
	default:
		return fmt.Errorf("public key type %T is not supported: issuer keys must be ECDSA P-256, RSA (2048+ bits) or Ed25519", pub)
	}
	return nil
}

// CheckPublicKeyFor is CheckPublicKey for a key of the given kind, which
// also accepts ECDSA P-384 for an EU DCC signer (KindDCC): national
// document signers with P-384 keys sign DCCs labelled ES256, which the
// verifier accepts for HC1: only (docs/security.md). A staff-passport key
// must still be P-256.
func CheckPublicKeyFor(pub crypto.PublicKey, kind KeyKind) error {
	if k, ok := pub.(*ecdsa.PublicKey); ok && kind == KindDCC && k.Curve == elliptic.P384() {
		return nil
	}
	return CheckPublicKey(pub)
}

// TrustStore is what verification needs from a trust list.
type TrustStore interface {
	// Key returns the trusted key for kid, or an error wrapping ErrUnknownKey.
	Key(kid []byte) (*TrustedKey, error)
	// Revocation returns the revocation of a credential id (cti bytes, or
	// a DCC's ci), nil when it is not revoked. The caller applies its From
	// (Revocation.AppliesAt).
	Revocation(credentialID []byte) (*Revocation, error)
	// Info describes the list: bundle version, issued, expires (zero values when only direct trust).
	Info() (ListInfo, error)
}

// TrustSnapshot is one consistent reading of a trust store: every answer
// belongs to the same state of the list, whatever is imported meanwhile.
// Close releases it.
type TrustSnapshot interface {
	TrustStore
	Close() error
}

// Snapshotter is a TrustStore that can give a consistent reading.
type Snapshotter interface {
	Snapshot() (TrustSnapshot, error)
}

// Snapshot returns a consistent reading of store for one verification:
// store's own snapshot when it is a Snapshotter, else store itself (a
// store that never changes underneath, or one that cannot do better).
// Call release when the verification is done. Without it, a verifier that
// asks Info, then Key, then Revocation while another process imports may
// report one list version and apply another's revocations.
func Snapshot(store TrustStore) (view TrustStore, release func(), err error) {
	if s, ok := store.(Snapshotter); ok {
		snap, err := s.Snapshot()
		if err != nil {
			return nil, func() {}, err
		}
		return snap, func() { snap.Close() }, nil
	}
	return store, func() {}, nil
}

// ListInfo describes a trust list.
type ListInfo struct {
	Version         int64     // bundle version; 0 when no bundle was imported
	Issued, Expires time.Time // of the bundle; zero when no bundle was imported
	Issuers         int       // number of trusted issuer keys
	Revoked         int       // number of revoked credential ids
	// Confirmable: the bundle in force names a timestamp key, so it counts
	// as the newest list only until ConfirmedUntil. False for a bundle
	// without one (and for direct trust): such a list is as current as
	// its expiry says.
	Confirmable bool
	// ConfirmedUntil is the later of the bundle's issue time plus its
	// fresh-for and the expiry of the newest recorded freshness statement
	// that names exactly this bundle. Zero when not Confirmable.
	ConfirmedUntil time.Time
	// StatementVersion and StatementIssued describe the newest recorded
	// statement (zero when none): a version above Version says a newer
	// list is published than the one in force.
	StatementVersion int64
	StatementIssued  time.Time
}

// States of a trust list at a time (ListInfo.StateAt).
const (
	ListCurrent     = "current"     // in force and, if it can be, confirmed as the newest
	ListUnconfirmed = "unconfirmed" // not expired, but nothing signed says it is still the newest: a revocation may be missing
	ListExpired     = "expired"     // past its expiry
	ListNone        = "none"        // no bundle imported (direct trust only)
)

// StateAt is the list's state at now. Verification warns
// trust_list_unconfirmed (and decides CHECK NEEDED, never ACCEPT) when it
// is ListUnconfirmed.
func (i ListInfo) StateAt(now time.Time) string {
	switch {
	case i.Version == 0 && i.Expires.IsZero():
		return ListNone
	case !now.Before(i.Expires):
		return ListExpired
	case i.Confirmable && !now.Before(i.ConfirmedUntil):
		return ListUnconfirmed
	}
	return ListCurrent
}

// MemoryStore is an in-memory TrustStore for tests and small tools. It is
// safe for concurrent use.
type MemoryStore struct {
	mu      sync.RWMutex
	keys    map[string]TrustedKey
	revoked map[string]Revocation
	info    ListInfo
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{keys: map[string]TrustedKey{}, revoked: map[string]Revocation{}}
}

// Add trusts k, replacing any key with the same KID. An empty Source becomes
// SourceDirect.
func (m *MemoryStore) Add(k TrustedKey) {
	k.KID = append([]byte(nil), k.KID...)
	if k.Source == "" {
		k.Source = SourceDirect
	}
	m.mu.Lock()
	m.keys[string(k.KID)] = k
	m.mu.Unlock()
}

// Revoke marks the credential id (cti bytes) as revoked from the start, with no reason.
func (m *MemoryStore) Revoke(id []byte) { m.RevokeWith(id, Revocation{}) }

// RevokeWith marks the credential id as revoked with a reason and start.
func (m *MemoryStore) RevokeWith(id []byte, r Revocation) {
	m.mu.Lock()
	m.revoked[string(id)] = r
	m.mu.Unlock()
}

// SetBundleInfo sets the version and dates Info reports, as if a bundle had
// been imported; tests of expiry warnings use it.
func (m *MemoryStore) SetBundleInfo(version int64, issued, expires time.Time) {
	m.mu.Lock()
	m.info = ListInfo{Version: version, Issued: issued, Expires: expires}
	m.mu.Unlock()
}

// Key returns a copy of the trusted key for kid, or ErrUnknownKey.
func (m *MemoryStore) Key(kid []byte) (*TrustedKey, error) {
	m.mu.RLock()
	k, ok := m.keys[string(kid)]
	m.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: kid %x", ErrUnknownKey, kid)
	}
	k.KID = append([]byte(nil), k.KID...)
	return &k, nil
}

// Keys returns all trusted keys, ordered by org code then kid.
func (m *MemoryStore) Keys() []TrustedKey {
	m.mu.RLock()
	out := make([]TrustedKey, 0, len(m.keys))
	for _, k := range m.keys {
		k.KID = append([]byte(nil), k.KID...)
		out = append(out, k)
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].OrgCode != out[j].OrgCode {
			return out[i].OrgCode < out[j].OrgCode
		}
		return string(out[i].KID) < string(out[j].KID)
	})
	return out
}

// Revocation returns what Revoke or RevokeWith recorded for the id, or nil.
func (m *MemoryStore) Revocation(credentialID []byte) (*Revocation, error) {
	m.mu.RLock()
	r, ok := m.revoked[string(credentialID)]
	m.mu.RUnlock()
	if !ok {
		return nil, nil
	}
	return &r, nil
}

// IsRevoked reports whether the credential id was passed to Revoke.
func (m *MemoryStore) IsRevoked(credentialID []byte) (bool, error) {
	r, err := m.Revocation(credentialID)
	return r != nil, err
}

// Info reports the bundle info set by SetBundleInfo and the current counts.
func (m *MemoryStore) Info() (ListInfo, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	info := m.info
	info.Issuers = len(m.keys)
	info.Revoked = len(m.revoked)
	return info, nil
}

// Snapshot returns a consistent reading: it holds the store's read lock
// until Close, so Add, Revoke and SetBundleInfo wait for it.
func (m *MemoryStore) Snapshot() (TrustSnapshot, error) {
	m.mu.RLock()
	return &memorySnapshot{m: m}, nil
}

// memorySnapshot reads a MemoryStore whose read lock it holds.
type memorySnapshot struct {
	m    *MemoryStore
	once sync.Once
}

func (s *memorySnapshot) Key(kid []byte) (*TrustedKey, error) {
	k, ok := s.m.keys[string(kid)]
	if !ok {
		return nil, fmt.Errorf("%w: kid %x", ErrUnknownKey, kid)
	}
	k.KID = append([]byte(nil), k.KID...)
	return &k, nil
}

func (s *memorySnapshot) Revocation(credentialID []byte) (*Revocation, error) {
	r, ok := s.m.revoked[string(credentialID)]
	if !ok {
		return nil, nil
	}
	return &r, nil
}

func (s *memorySnapshot) Info() (ListInfo, error) {
	info := s.m.info
	info.Issuers = len(s.m.keys)
	info.Revoked = len(s.m.revoked)
	return info, nil
}

func (s *memorySnapshot) Close() error {
	s.once.Do(s.m.mu.RUnlock)
	return nil
}

var (
	_ TrustStore  = (*MemoryStore)(nil)
	_ Snapshotter = (*MemoryStore)(nil)
)
