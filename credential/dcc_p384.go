package credential

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

// EU DCC as found in the wild: some national document signers use P-384
// keys but label their signatures ES256 (SHA-256; RFC 9053 §2.1 only
// suggests pairing it with P-256). For HC1 only, such a signature is
// verified as ECDSA over SHA-256 with the P-384 key; docs/security.md says
// why that is safe. SP1 stays strict: its algorithm follows the key.

// isES256WithP384 reports whether s is an HC1 message labelled ES256 and
// pub a P-384 key: the one pairing accepted only for EU DCCs.
func (s *Signed) isES256WithP384(pub any) (*ecdsa.PublicKey, bool) {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || s.Prefix != PrefixDCC || s.Alg != cose.AlgorithmES256 || k.Curve != elliptic.P384() {
		return nil, false
	}
	return k, true
}

// verifyES256P384 checks a COSE_Sign1 signature (RFC 9052 §4.4) made with
// SHA-256 and a P-384 key: r and s of 48 bytes each.
func (s *Signed) verifyES256P384(k *ecdsa.PublicKey) error {
	sig := s.msg.Signature
	if len(sig) != 96 || len(s.msg.Headers.RawProtected) == 0 {
		return ErrSignature
	}
	tbs, err := cbor.Marshal([]any{"Signature1", cbor.RawMessage(s.msg.Headers.RawProtected), []byte{}, s.msg.Payload})
	if err != nil {
		return ErrSignature
	}
	digest := sha256.Sum256(tbs)
	r, ss := new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])
	if !ecdsa.Verify(k, digest[:], r, ss) {
		return ErrSignature
	}
	return nil
}
