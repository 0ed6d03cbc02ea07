package keys

import (
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/veraison/go-cose"

	"passport/trust"
)

// RegistrationFileName is the registration request 'passport keys new'
// writes beside the key, for the organisation to send to the trust authority.
const RegistrationFileName = "registration.req"

// RegistrationRequest signs the issuer's registration request: its
// certificate, org code and name, contact (an e-mail address, may be
// empty) and now, as a tagged COSE_Sign1 (RFC 9052 §4.2) with ES256, the
// issuer's kid and trust.RegistrationContentType in the protected header.
// The signature by the key the certificate names is the proof of
// possession 'passport authority register' checks.
func (i *Issuer) RegistrationRequest(contact string, now time.Time) ([]byte, error) {
	if i == nil || i.Key == nil || i.Cert == nil {
		return nil, errors.New("issuer has no key or certificate: create it with NewIssuer")
	}
	payload, err := trust.MarshalRegistrationPayload(&trust.Registration{Certificate: i.Cert, OrgCode: i.OrgCode,
		OrgName: i.OrgName, Contact: contact, Created: now})
	if err != nil {
		return nil, err
	}
	signer, err := cose.NewSigner(cose.AlgorithmES256, i.Key)
	if err != nil {
		return nil, fmt.Errorf("preparing the signer: %w", err)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = i.KID
	msg.Headers.Protected[cose.HeaderLabelContentType] = trust.RegistrationContentType
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		return nil, fmt.Errorf("signing the registration request: %w", err)
	}
	return msg.MarshalCBOR()
}

// WriteRegistrationRequest writes RegistrationRequest(contact, now) to
// dir/registration.req (never overwritten) and returns its path.
func (i *Issuer) WriteRegistrationRequest(dir, contact string, now time.Time) (string, error) {
	req, err := i.RegistrationRequest(contact, now)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, RegistrationFileName)
	return path, writeNew(path, req, 0o644)
}
