package trust

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// KeyIDLen is the length of a key id in bytes.
const KeyIDLen = 8

// KeyID is the first 8 bytes of SHA-256 of the certificate DER, as the EU
// Digital COVID Certificate trust lists define it. It is the COSE `kid` that
// credentials carry in their protected header (RFC 9052 §3.1).
func KeyID(certDER []byte) []byte {
	sum := sha256.Sum256(certDER)
	kid := make([]byte, KeyIDLen)
	copy(kid, sum[:KeyIDLen])
	return kid
}

// OrgCodeURIPrefix marks the subject alternative name URI that carries the
// organisation code in certificates made by NewIssuer.
//
// How the org code is stored: NewIssuer puts the code in the certificate
// twice. The machine-readable copy is a URI subject alternative name
// "urn:passport:org:CODE" (RFC 5280 §4.2.1.6); OrgCodeOf reads only that.
// A human-readable copy goes into the subject's organizational unit (OU), so
// `openssl x509 -text` shows it, but OU is never read back: certificates from
// other issuers use OU for other things.
const OrgCodeURIPrefix = "urn:passport:org:"

// OrgCodeOf returns the org code stored in a certificate created by NewIssuer,
// or "" if the certificate carries none (or a malformed one).
func OrgCodeOf(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	for _, u := range cert.URIs {
		if u == nil {
			continue
		}
		s := u.String()
		if code, ok := strings.CutPrefix(s, OrgCodeURIPrefix); ok {
			if ValidateOrgCode(code) == nil {
				return code
			}
		}
	}
	return ""
}

// ValidateOrgCode reports whether code is a usable organisation code: 1 to
// MaxOrgCodeLen characters from A–Z, a–z, 0–9, '-', '_' and '.'.
func ValidateOrgCode(code string) error {
	if code == "" {
		return errors.New("organisation code is empty: give a code such as RXX")
	}
	if len(code) > MaxOrgCodeLen {
		return fmt.Errorf("organisation code %.40q is %d characters long: use at most %d", code, len(code), MaxOrgCodeLen)
	}
	for _, r := range code {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return fmt.Errorf("organisation code %q contains %q: use only letters, digits, '-', '_' and '.'", code, r)
		}
	}
	return nil
}

// ParseCertificatePEM reads exactly one certificate from PEM or DER bytes.
func ParseCertificatePEM(data []byte) (*x509.Certificate, error) {
	certs, err := ParseCertificates(data)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("found %d certificates, want exactly one: split the file", len(certs))
	}
	return certs[0], nil
}

// ParseCertificates reads one or more X.509 certificates from PEM (any number
// of "CERTIFICATE" blocks, surrounding text ignored) or DER (one or more
// concatenated certificates). Input larger than MaxCertificateFileSize or
// holding more than MaxCertificates certificates is refused. A PEM block of
// another type (for example a private key) is an error, so a wrongly chosen
// file is reported instead of silently skipped.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if len(data) == 0 {
		return nil, errors.New("no certificate: the input is empty")
	}
	if len(data) > MaxCertificateFileSize {
		return nil, fmt.Errorf("certificate input is %d bytes, more than the %d allowed: is this the right file?", len(data), MaxCertificateFileSize)
	}
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		certs, err := x509.ParseCertificates(data)
		if err != nil {
			return nil, fmt.Errorf("not a PEM or DER certificate: %v", err)
		}
		if len(certs) == 0 {
			return nil, errors.New("no certificate found in DER input")
		}
		if len(certs) > MaxCertificates {
			return nil, fmt.Errorf("input holds %d certificates, more than the %d allowed: split it", len(certs), MaxCertificates)
		}
		return certs, nil
	}
	var certs []*x509.Certificate
	rest := data
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			if strings.Contains(block.Type, "PRIVATE KEY") {
				return nil, fmt.Errorf("PEM block %d is a private key, not a certificate: give the issuer.crt file, never the key", n)
			}
			return nil, fmt.Errorf("PEM block %d is %q, not a CERTIFICATE", n, block.Type)
		}
		if len(certs) == MaxCertificates {
			return nil, fmt.Errorf("input holds more than the %d certificates allowed: split it", MaxCertificates)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: not a valid X.509 certificate: %v", n, err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block found: the input has a BEGIN line but no complete block")
	}
	return certs, nil
}

// BindingOf infers what a certificate's key may sign when the person adding
// it does not say: a certificate made by NewIssuer (it carries a passport
// org code) signs staff passports; any other certificate is taken as an EU
// DCC document signer for the country in its subject (C). A certificate
// with neither cannot be bound and gives an error saying what to pass.
func BindingOf(cert *x509.Certificate) (KeyKind, string, error) {
	if OrgCodeOf(cert) != "" {
		return KindStaff, "", nil
	}
	if len(cert.Subject.Country) == 1 && isCountryCode(strings.ToUpper(cert.Subject.Country[0])) {
		return KindDCC, strings.ToUpper(cert.Subject.Country[0]), nil
	}
	return "", "", fmt.Errorf("certificate %q is neither a passport issuer certificate (no %s URI) nor a DCC signer with one country (C) in its subject: say what it may sign with --kind staff or --kind dcc --country XX", cert.Subject.String(), OrgCodeURIPrefix)
}
