package keys

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/veraison/go-cose"

	"passport/trust"
)

// SignBundle encodes b and signs it as a tagged COSE_Sign1 (RFC 9052 §4.2)
// with ES256, the authority's kid and BundleContentType in the protected
// header.
func (a *Authority) SignBundle(b *trust.Bundle) ([]byte, error) {
	if a == nil || a.Key == nil {
		return nil, errors.New("no authority key: load it with LoadAuthority")
	}
	payload, err := trust.MarshalBundle(b)
	if err != nil {
		return nil, err
	}
	signer, err := cose.NewSigner(cose.AlgorithmES256, a.Key)
	if err != nil {
		return nil, fmt.Errorf("preparing the signer: %w", err)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = a.KID
	msg.Headers.Protected[cose.HeaderLabelContentType] = trust.BundleContentType
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		return nil, fmt.Errorf("signing the bundle: %w", err)
	}
	out, err := msg.MarshalCBOR()
	if err != nil {
		return nil, err
	}
	if len(out) > trust.MaxBundleBytes {
		return nil, fmt.Errorf("the signed bundle is %d bytes, over the %d-byte limit sites accept: list fewer issuers or revoked ids", len(out), trust.MaxBundleBytes)
	}
	return out, nil
}
