package keys

import (
	"crypto/x509"
	"encoding/pem"
	"testing"
)

// FuzzDecryptKey: decrypting arbitrary key files never panics, and anything
// accepted is a P-256 key.
func FuzzDecryptKey(f *testing.F) {
	iss, err := NewIssuer("RXX", "Fuzz Trust", testNow, 0)
	if err != nil {
		f.Fatal(err)
	}
	enc, err := encryptKey(iss.Key, []byte("pw"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc, []byte("pw"))
	f.Add(enc, []byte("other"))
	f.Add([]byte("age-encryption.org/v1\n-> scrypt AAAA 10\n\n--- AAAA\n"), []byte("pw"))
	f.Fuzz(func(t *testing.T, data, pass []byte) {
		// The work factor cap keeps each input cheap; the parser is the same.
		k, err := decryptKey(data, pass, testWorkFactor)
		if err == nil && (k == nil || k.Curve.Params().Name != "P-256") {
			t.Fatalf("accepted a non-P-256 key: %v", k)
		}
	})
}

// FuzzParsePrivateKeyPEM: the decrypted-plaintext parser never panics.
func FuzzParsePrivateKeyPEM(f *testing.F) {
	iss, err := NewIssuer("RXX", "Fuzz Trust", testNow, 0)
	if err != nil {
		f.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(iss.Key)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := parsePrivateKeyPEM(data)
		if err != nil {
			return
		}
		if _, err := k.ECDH(); err != nil {
			t.Fatalf("accepted an invalid key: %v", err)
		}
	})
}
