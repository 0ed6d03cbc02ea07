package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"passport/trust"
)

// File names inside an authority key directory.
const (
	AuthorityKeyFileName = "authority.key" // age(scrypt)-encrypted PKCS#8 PEM private key, mode 0600; keep offline
	AuthorityPubFileName = "authority.pub" // PEM PKIX public key, mode 0644; sites pin it with `trust init`
)

// Authority is a trust authority's bundle-signing key (ECDSA P-256).
type Authority struct {
	Key *ecdsa.PrivateKey
	KID []byte // trust.AuthorityKeyID(&Key.PublicKey)
}

// NewAuthority generates an authority key.
func NewAuthority() (*Authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating P-256 key: %w", err)
	}
	kid, err := trust.AuthorityKeyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Authority{Key: key, KID: kid}, nil
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
	return saveKeyPair(dir, a.Key, passphrase, AuthorityKeyFileName, AuthorityPubFileName, "an authority key", "the authority directory")
}

// saveKeyPair writes dir/keyName (the private key encrypted for passphrase,
// O_EXCL, 0600) and dir/pubName (the public key as PEM, 0644), creating dir
// (0700) if needed and never overwriting either file; what names the key
// in the refusal ("an authority key"), dirLabel the directory in errors.
func saveKeyPair(dir string, key *ecdsa.PrivateKey, passphrase []byte, keyName, pubName, what, dirLabel string) error {
	keyPath := filepath.Join(dir, keyName)
	pubPath := filepath.Join(dir, pubName)
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s already exists: refusing to overwrite %s; choose another directory", p, what)
		}
	}
	enc, err := encryptKey(key, passphrase)
	if err != nil {
		return err
	}
	pubPEM, err := trust.MarshalAuthorityPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dirLabel, err)
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
	if pubData, err := trust.ReadFileLimited(pubPath, trust.MaxAuthorityKeyFileSize); err == nil {
		pub, err := trust.ParseAuthorityPublicKey(pubData)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pubPath, err)
		}
		if !pub.Equal(&key.PublicKey) {
			return nil, fmt.Errorf("%s does not belong to %s: keep the two files of one `authority new` together", pubPath, keyPath)
		}
	}
	kid, err := trust.AuthorityKeyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Authority{Key: key, KID: kid}, nil
}
