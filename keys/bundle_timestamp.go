package keys

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/veraison/go-cose"

	"passport/trust"
)

// File names inside a timestamp key directory.
const (
	TimestampKeyFileName = "timestamp.key" // age(scrypt)-encrypted PKCS#8 PEM private key, mode 0600; on the publishing host
	TimestampPubFileName = "timestamp.pub" // PEM PKIX public key; `authority bundle --timestamp-key` names it
)

// TimestampKey is the online key of the publishing host (ECDSA P-256). The
// authority's bundles name its public key; it signs freshness statements
// (trust.Statement) and nothing else, so losing it lets a thief keep a
// site's list looking fresh, never change what the list says.
type TimestampKey struct {
	Key *ecdsa.PrivateKey
	KID []byte // trust.AuthorityKeyID(&Key.PublicKey)
}

// NewTimestampKey generates a timestamp key.
func NewTimestampKey() (*TimestampKey, error) {
	a, err := NewAuthority()
	if err != nil {
		return nil, err
	}
	return &TimestampKey{Key: a.Key, KID: a.KID}, nil
}

// PublicDER is the PKIX DER of the public key, as a bundle carries it.
func (k *TimestampKey) PublicDER() ([]byte, error) {
	return x509.MarshalPKIXPublicKey(&k.Key.PublicKey)
}

// Save writes dir/timestamp.key (encrypted for passphrase, O_EXCL, 0600)
// and dir/timestamp.pub, never overwriting either.
func (k *TimestampKey) Save(dir string, passphrase []byte) error {
	if k == nil || k.Key == nil {
		return errors.New("no timestamp key: create it with NewTimestampKey")
	}
	if len(passphrase) == 0 {
		return errors.New("empty passphrase: set PASSPORT_PASSPHRASE or type one at the prompt")
	}
	return saveKeyPair(dir, k.Key, passphrase, TimestampKeyFileName, TimestampPubFileName, "a timestamp key", "the timestamp key directory")
}

// LoadTimestampKey reads and decrypts dir/timestamp.key (dir may name the
// file itself), refusing a file readable by group or others.
func LoadTimestampKey(dir string, passphrase []byte) (*TimestampKey, error) {
	keyPath := dir
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		keyPath = filepath.Join(dir, TimestampKeyFileName)
	}
	key, err := loadPrivateKey(keyPath, passphrase, "timestamp key", "a directory made by `passport authority timestamp-key`", dir)
	if err != nil {
		return nil, err
	}
	kid, err := trust.AuthorityKeyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &TimestampKey{Key: key, KID: kid}, nil
}

// SignStatement signs a freshness statement for the bundle file bundle:
// its version (read without checking the authority's signature, which the
// publisher need not hold the key for), its SHA-256, issued now, expiring
// after lifetime.
func (k *TimestampKey) SignStatement(bundle []byte, now time.Time, lifetime time.Duration) ([]byte, *trust.Statement, error) {
	sb, err := trust.ParseSignedBundle(bundle)
	if err != nil {
		return nil, nil, err
	}
	b, err := sb.UnverifiedBundle()
	if err != nil {
		return nil, nil, err
	}
	pub, err := k.PublicDER()
	if err != nil {
		return nil, nil, err
	}
	if b.TimestampKey == nil {
		return nil, nil, fmt.Errorf("bundle version %d names no timestamp key: sites would ignore this statement; make the bundle with --timestamp-key", b.Version)
	}
	if string(b.TimestampKey) != string(pub) {
		return nil, nil, fmt.Errorf("bundle version %d names another timestamp key: sites would refuse this statement", b.Version)
	}
	sum := sha256.Sum256(bundle)
	now = now.UTC().Truncate(time.Second)
	st := &trust.Statement{Version: b.Version, BundleSHA256: sum[:], Issued: now, Expires: now.Add(lifetime)}
	payload, err := trust.MarshalStatement(st)
	if err != nil {
		return nil, nil, err
	}
	signer, err := cose.NewSigner(cose.AlgorithmES256, k.Key)
	if err != nil {
		return nil, nil, err
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = k.KID
	msg.Headers.Protected[cose.HeaderLabelContentType] = trust.StatementContentType
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		return nil, nil, fmt.Errorf("signing the statement: %w", err)
	}
	out, err := msg.MarshalCBOR()
	if err != nil {
		return nil, nil, err
	}
	return out, st, nil
}
