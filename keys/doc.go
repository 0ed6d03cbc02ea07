// Package keys holds the issuer side of passport's keys and the trust-list
// types the verifier uses: issuer key pairs (generated, encrypted at rest with
// age, loaded), key ids, X.509 issuer certificates, and the TrustStore
// interface that verification looks keys up in.
//
// An issuer key directory holds two files: issuer.key, the PKCS#8 private key
// encrypted with an age scrypt recipient (mode 0600), and issuer.crt, the
// self-signed certificate that receiving sites trust (`passport trust add`).
// The organisation code lives in the certificate as the subject alternative
// name URI "urn:passport:org:CODE" (see OrgCodeOf).
//
// Key ids follow the EU Digital COVID Certificate convention: the first 8
// bytes of SHA-256 of the certificate's DER encoding.
package keys
