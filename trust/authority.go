package trust

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// AuthorityKeyID is the key id of an authority public key: the first 8
// bytes of SHA-256 of its PKIX DER SubjectPublicKeyInfo (an authority key
// has no certificate, unlike issuer keys).
func AuthorityKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding authority public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return sum[:KeyIDLen:KeyIDLen], nil
}

// MarshalAuthorityPublicKey returns the PEM "PUBLIC KEY" form of pub, as
// written to authority.pub.
func MarshalAuthorityPublicKey(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding authority public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParseAuthorityPublicKey reads an authority public key: one PEM "PUBLIC
// KEY" block (authority.pub) holding an ECDSA P-256 key, at most
// MaxAuthorityKeyFileSize bytes.
func ParseAuthorityPublicKey(data []byte) (*ecdsa.PublicKey, error) {
	if len(data) > MaxAuthorityKeyFileSize {
		return nil, fmt.Errorf("authority key file is %d bytes, over %d: is this the right file?", len(data), MaxAuthorityKeyFileSize)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block: give the authority.pub written by `passport authority new`")
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("PEM block is %q, not PUBLIC KEY: give authority.pub, never authority.key", block.Type)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKIX public key: %v", err)
	}
	ek, ok := pub.(*ecdsa.PublicKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("authority key is %T: authority keys are ECDSA P-256", pub)
	}
	return ek, nil
}
