package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// File names inside an authority key directory.
const (
	AuthorityKeyFileName = "authority.key" // age(scrypt)-encrypted PKCS#8 PEM private key, mode 0600; keep offline
	AuthorityPubFileName = "authority.pub" // PEM PKIX public key, mode 0644; sites pin it with `trust init`
)

// Authority is a trust authority's bundle-signing key (ECDSA P-256).
type Authority struct {
	Key *ecdsa.PrivateKey
	KID []byte // AuthorityKeyID(&Key.PublicKey)
}

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

// NewAuthority generates an authority key.
func NewAuthority() (*Authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating P-256 key: %w", err)
	}
	kid, err := AuthorityKeyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Authority{Key: key, KID: kid}, nil
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

// Save writes dir/authority.key (encrypted with an age scrypt recipient for
// passphrase, O_EXCL, mode 0600) and dir/authority.pub (mode 0644). It
// creates dir (mode 0700) if needed and never overwrites either file.
func (a *Authority) Save(dir string, passphrase []byte) error {
	if a == nil || a.Key == nil {
		return errors.New("no authority key: create it with NewAuthority")
	}
	if len(passphrase) == 0 {
		return errors.New("empty passphrase: set PASSPORT_PASSPHRASE or type one at the prompt")
	}
	keyPath := filepath.Join(dir, AuthorityKeyFileName)
	pubPath := filepath.Join(dir, AuthorityPubFileName)
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s already exists: refusing to overwrite an authority key; choose another directory", p)
		}
	}
	enc, err := encryptKey(a.Key, passphrase)
	if err != nil {
		return err
	}
	pubPEM, err := MarshalAuthorityPublicKey(&a.Key.PublicKey)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating authority directory: %w", err)
	}
	if err := writeNew(keyPath, enc, 0o600); err != nil {
		return err
	}
	if err := writeNew(pubPath, pubPEM, 0o644); err != nil {
		os.Remove(keyPath)
		return err
	}
	return nil
}

// LoadAuthority reads and decrypts dir/authority.key (dir may also name the
// key file itself). Like LoadIssuer it refuses a key file readable by group
// or others, and a wrong passphrase gives an error wrapping
// ErrWrongPassphrase. When authority.pub sits beside the key it must match.
func LoadAuthority(dir string, passphrase []byte) (*Authority, error) {
	keyPath := dir
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		keyPath = filepath.Join(dir, AuthorityKeyFileName)
	}
	key, err := loadPrivateKey(keyPath, passphrase, "authority key", "an authority directory made by `passport authority new`", dir)
	if err != nil {
		return nil, err
	}
	pubPath := filepath.Join(filepath.Dir(keyPath), AuthorityPubFileName)
	if pubData, err := readLimited(pubPath, MaxAuthorityKeyFileSize); err == nil {
		pub, err := ParseAuthorityPublicKey(pubData)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pubPath, err)
		}
		if !pub.Equal(&key.PublicKey) {
			return nil, fmt.Errorf("%s does not belong to %s: keep the two files of one `authority new` together", pubPath, keyPath)
		}
	}
	kid, err := AuthorityKeyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Authority{Key: key, KID: kid}, nil
}
