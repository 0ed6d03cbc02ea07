package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"passport/credential"
	"passport/trust"

	"filippo.io/age"
)

// File names inside an issuer key directory.
const (
	KeyFileName  = "issuer.key" // age(scrypt)-encrypted PKCS#8 PEM private key, mode 0600
	CertFileName = "issuer.crt" // PEM X.509 certificate, mode 0644; give this to `trust add`
	// ContactFileName holds the issuer's contact (one line, mode 0644),
	// printed on every passport for a receiving site to confirm it with.
	ContactFileName = "contact.txt"
)

// DefaultValidity is how long an issuer certificate is valid when NewIssuer
// is given no duration.
const DefaultValidity = 5 * 365 * 24 * time.Hour

// ErrWrongPassphrase is returned by LoadIssuer when the passphrase does not
// decrypt the key file.
var ErrWrongPassphrase = errors.New("wrong passphrase for the issuer key")

// DefaultScryptWorkFactor is the scrypt work factor (log2 N) Save encrypts
// key files with: age's own default, about one second of work per guess.
const DefaultScryptWorkFactor = 18

// scryptWorkFactor is the work factor Save uses. Only tests lower it, to
// stay fast; production always uses DefaultScryptWorkFactor.
var scryptWorkFactor = DefaultScryptWorkFactor

// Issuer is an issuing organisation's signing key pair and certificate.
type Issuer struct {
	OrgCode, OrgName string
	Key              *ecdsa.PrivateKey // P-256
	Cert             *x509.Certificate
	KID              []byte // trust.KeyID(Cert.Raw)
	// Contact is how receiving sites reach the issuer to confirm a
	// passport (an e-mail address, or a line the organisation wrote into
	// contact.txt); "" when none was given. Not part of the certificate.
	Contact string
}

// NewIssuer generates an ECDSA P-256 key and a self-signed X.509 certificate
// with CN = O = orgName, valid from now to now+validFor (DefaultValidity if
// validFor is 0). The org code is stored as the URI subject alternative name
// "urn:passport:org:CODE", read back by OrgCodeOf, and also shown in the
// subject OU for people reading the certificate.
func NewIssuer(orgCode, orgName string, now time.Time, validFor time.Duration) (*Issuer, error) {
	if err := trust.ValidateOrgCode(orgCode); err != nil {
		return nil, err
	}
	orgName = strings.TrimSpace(orgName)
	if orgName == "" {
		return nil, errors.New("organisation name is empty: give the name to print, such as \"Riverside Hospitals NHS Trust\"")
	}
	if !utf8.ValidString(orgName) {
		return nil, errors.New("organisation name is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(orgName); n > trust.MaxOrgNameLen {
		return nil, fmt.Errorf("organisation name is %d characters long: X.509 allows at most %d, shorten it", n, trust.MaxOrgNameLen)
	}
	if validFor < 0 {
		return nil, fmt.Errorf("validity %v is negative: give a positive duration", validFor)
	}
	if validFor == 0 {
		validFor = DefaultValidity
	}
	if now.IsZero() {
		return nil, errors.New("no issue time given: pass the current time")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating P-256 key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generating certificate serial number: %w", err)
	}
	serial.Add(serial, big.NewInt(1)) // positive, never zero (RFC 5280 §4.1.2.2)
	orgURI, err := url.Parse(trust.OrgCodeURIPrefix + orgCode)
	if err != nil {
		return nil, fmt.Errorf("org code %q does not form a URI: %v", orgCode, err)
	}
	notBefore := now.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         orgName,
			Organization:       []string{orgName},
			OrganizationalUnit: []string{orgCode},
		},
		NotBefore:             notBefore,
		NotAfter:              notBefore.Add(validFor),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		URIs:                  []*url.URL{orgURI},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("creating issuer certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("re-reading issuer certificate: %w", err)
	}
	return &Issuer{OrgCode: orgCode, OrgName: orgName, Key: key, Cert: cert, KID: trust.KeyID(der)}, nil
}

// Save writes dir/issuer.key (the PKCS#8 PEM private key encrypted with an
// age scrypt recipient for passphrase, created with O_EXCL and mode 0600) and
// dir/issuer.crt (the PEM certificate, mode 0644). It creates dir if needed
// and refuses to overwrite either file.
func (i *Issuer) Save(dir string, passphrase []byte) error {
	if i == nil || i.Key == nil || i.Cert == nil {
		return errors.New("issuer has no key or certificate: create it with NewIssuer")
	}
	if err := CheckNewPassphrase(passphrase); err != nil {
		return err
	}
	keyPath := filepath.Join(dir, KeyFileName)
	certPath := filepath.Join(dir, CertFileName)
	for _, p := range []string{keyPath, certPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s already exists: refusing to overwrite an issuer key; choose another directory", p)
		}
	}
	enc, err := encryptKey(i.Key, passphrase)
	if err != nil {
		return err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.Cert.Raw})
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating key directory: %w", err)
	}
	if err := checkKeyDir(dir); err != nil {
		return err
	}
	if err := writeNew(keyPath, enc, 0o600); err != nil {
		return err
	}
	if err := writeNew(certPath, certPEM, 0o644); err != nil {
		os.Remove(keyPath) // we created it a moment ago; do not leave half a key directory
		return err
	}
	if i.Contact != "" {
		if err := writeNew(filepath.Join(dir, ContactFileName), []byte(i.Contact+"\n"), 0o644); err != nil {
			os.Remove(keyPath)
			os.Remove(certPath)
			return err
		}
	}
	return nil
}

// CheckContact accepts an issuer contact for the paper: one line of at
// most MaxContactLen bytes without control or bidirectional-override
// characters ("" is none).
func CheckContact(s string) error {
	if len(s) > MaxContactLen || !utf8.ValidString(s) || strings.IndexFunc(s, credential.UnsafeRune) >= 0 {
		return fmt.Errorf("the contact %.40q is not one line of at most %d characters", s, MaxContactLen)
	}
	return nil
}

// readContact reads dir/contact.txt; a missing file is no contact.
func readContact(dir string) (string, error) {
	path := filepath.Join(dir, ContactFileName)
	data, err := trust.ReadFileLimited(path, MaxContactLen+2)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	s := strings.TrimSpace(string(data))
	if err := CheckContact(s); err != nil {
		return "", fmt.Errorf("%s: %w (write one line: an e-mail address or a telephone number)", path, err)
	}
	return s, nil
}

// CheckNewPassphrase refuses a passphrase too short to encrypt a new key
// with (MinPassphraseChars, counted in characters, not bytes). Existing
// keys still open with the passphrase they were made with.
func CheckNewPassphrase(p []byte) error {
	if n := utf8.RuneCount(p); n < MinPassphraseChars {
		return fmt.Errorf("the passphrase is %d characters long; a new key needs at least %d (a few words: a stolen key file can be guessed at offline)", n, MinPassphraseChars)
	}
	return nil
}

// checkKeyDir refuses a key directory that others may write to: whoever
// can, can swap issuer.crt and issuer.key for their own, or replace the key
// file between our permission check and our read.
func checkKeyDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("key directory: %w", err)
	}
	if fi.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("the key directory %s is writable by others (mode %04o): run chmod o-w %s, or move the key to a directory only you can write", dir, fi.Mode().Perm(), dir)
	}
	return nil
}

// writeNew creates path with O_EXCL and mode perm, writes data and syncs it.
func writeNew(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists: refusing to overwrite; choose another directory", path)
		}
		return fmt.Errorf("creating %s: %w", path, err)
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// encryptKey returns the age-encrypted PKCS#8 PEM form of key.
func encryptKey(key *ecdsa.PrivateKey, passphrase []byte) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	plain := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	defer clear(plain)
	defer clear(der)
	r, err := age.NewScryptRecipient(string(passphrase))
	if err != nil {
		return nil, fmt.Errorf("passphrase: %w", err)
	}
	r.SetWorkFactor(scryptWorkFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("encrypting private key: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypting private key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypting private key: %w", err)
	}
	return buf.Bytes(), nil
}

// LoadIssuer reads dir/issuer.key and dir/issuer.crt, refuses a key file
// readable by group or others, decrypts the key with passphrase (a wrong one
// gives an error wrapping ErrWrongPassphrase) and checks that the key matches
// the certificate.
func LoadIssuer(dir string, passphrase []byte) (*Issuer, error) {
	keyPath := filepath.Join(dir, KeyFileName)
	certPath := filepath.Join(dir, CertFileName)
	certData, err := trust.ReadFileLimited(certPath, trust.MaxCertificateFileSize)
	if err != nil {
		return nil, err
	}
	cert, err := trust.ParseCertificatePEM(certData)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	key, err := loadPrivateKey(keyPath, passphrase, "issuer key", "an issuer key directory made by `passport keys new`", dir)
	if err != nil {
		return nil, err
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, fmt.Errorf("%s does not belong to the certificate %s: keep the two files of one `keys new` together", keyPath, certPath)
	}
	name := cert.Subject.CommonName
	if len(cert.Subject.Organization) > 0 {
		name = cert.Subject.Organization[0]
	}
	code := trust.OrgCodeOf(cert)
	if code == "" {
		return nil, fmt.Errorf("%s carries no passport org code: it was not made by `passport keys new`", certPath)
	}
	contact, err := readContact(dir)
	if err != nil {
		return nil, err
	}
	return &Issuer{OrgCode: code, OrgName: name, Key: key, Cert: cert, KID: trust.KeyID(cert.Raw), Contact: contact}, nil
}

// decryptKey decrypts an age scrypt-encrypted PKCS#8 PEM P-256 private key.
// maxWorkFactor bounds the scrypt cost a file may demand.
func decryptKey(data, passphrase []byte, maxWorkFactor int) (*ecdsa.PrivateKey, error) {
	if len(data) > MaxKeyFileSize {
		return nil, fmt.Errorf("key file is larger than %d bytes", MaxKeyFileSize)
	}
	id, err := age.NewScryptIdentity(string(passphrase))
	if err != nil {
		return nil, fmt.Errorf("passphrase: %w", err)
	}
	id.SetMaxWorkFactor(maxWorkFactor)
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		if errors.Is(err, age.ErrIncorrectIdentity) {
			return nil, ErrWrongPassphrase
		}
		return nil, fmt.Errorf("not a passphrase-encrypted issuer key (%v): use the issuer.key written by `passport keys new`", err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, MaxKeyFileSize+1))
	defer clear(plain)
	if err != nil {
		return nil, fmt.Errorf("decrypting key file: %v (the file is damaged)", err)
	}
	if len(plain) > MaxKeyFileSize {
		return nil, fmt.Errorf("decrypted key is larger than %d bytes", MaxKeyFileSize)
	}
	return parsePrivateKeyPEM(plain)
}

// parsePrivateKeyPEM parses a PKCS#8 PEM "PRIVATE KEY" holding a P-256 ECDSA
// key. Errors never include key bytes.
func parsePrivateKeyPEM(plain []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(plain)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("decrypted key file holds no PKCS#8 PRIVATE KEY block")
	}
	defer clear(block.Bytes)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("decrypted key file holds a malformed PKCS#8 private key")
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("issuer key is %T, not an ECDSA P-256 key", k)
	}
	return ek, nil
}

// loadPrivateKey reads and decrypts an encrypted key file, refusing one that
// is not a regular file or is readable by group or others. what and made
// name the key and where it comes from, for error messages.
func loadPrivateKey(keyPath string, passphrase []byte, what, made, dir string) (*ecdsa.PrivateKey, error) {
	fi, err := os.Stat(keyPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (is %s %s?)", what, err, dir, made)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", keyPath)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by group or others (mode %04o): run chmod 600 %s", keyPath, fi.Mode().Perm(), keyPath)
	}
	if err := checkKeyDir(filepath.Dir(keyPath)); err != nil {
		return nil, err
	}
	if len(passphrase) == 0 {
		return nil, errors.New("empty passphrase: set PASSPORT_PASSPHRASE or type one at the prompt")
	}
	data, err := trust.ReadFileLimited(keyPath, MaxKeyFileSize)
	if err != nil {
		return nil, err
	}
	key, err := decryptKey(data, passphrase, maxScryptWorkFactor)
	if err != nil {
		if errors.Is(err, ErrWrongPassphrase) {
			return nil, fmt.Errorf("%w: %s could not be decrypted; check PASSPORT_PASSPHRASE", ErrWrongPassphrase, keyPath)
		}
		return nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	return key, nil
}
