// Package sign is the issuer side of the wire format: it signs passport
// claims as a tagged COSE_Sign1 (RFC 9052 §4.2) and prints the text.
//
// It is apart from credential so that the verify side (verify, policy,
// sitedb, station) links no signing code: internal/layers checks that no
// verify-side package depends on it. Import rules: credential only.
package sign

import (
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/veraison/go-cose"

	"passport/credential"
)

// Sign signs claims as a tagged COSE_Sign1 (RFC 9052 §4.2) with alg and kid in
// the protected header. The algorithm follows the key: ES256 for an ECDSA
// P-256 key, EdDSA for Ed25519, PS256 for RSA.
func Sign(c *credential.Claims, key crypto.Signer, kid []byte) ([]byte, error) {
	payload, err := credential.MarshalClaims(c)
	if err != nil {
		return nil, err
	}
	return SignPayload(payload, key, kid)
}

// SignPayload signs an already-encoded CWT payload.
func SignPayload(payload []byte, key crypto.Signer, kid []byte) ([]byte, error) {
	if len(kid) == 0 {
		return nil, errors.New("a key id is required to sign")
	}
	alg, err := credential.AlgorithmFor(key.Public())
	if err != nil {
		return nil, err
	}
	signer, err := cose.NewSigner(alg, key)
	if err != nil {
		return nil, fmt.Errorf("preparing the signer: %w", err)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(alg)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = kid
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return msg.MarshalCBOR()
}

// Issue signs claims and returns the printed text in one step.
func Issue(c *credential.Claims, key crypto.Signer, kid []byte) (string, error) {
	msg, err := Sign(c, key, kid)
	if err != nil {
		return "", err
	}
	return credential.Encode(msg), nil
}
