// Package trust is the public trust material a verifying site works with:
// issuer certificates and their key ids, validity windows and revocation
// status (TrustedKey), the TrustStore interface verification looks keys up
// in, and trust-list bundles (their CBOR form, parsing, and verification of
// an authority's signature). It holds no private keys and no signing code:
// bundles are signed by package keys on the authority's machine.
//
// Key ids follow the EU Digital COVID Certificate convention: the first 8
// bytes of SHA-256 of the certificate's DER encoding (KeyID).
//
// Import rules: trust imports only credential among the project's packages.
// It must never import keys, issue or anything that links filippo.io/age or
// golang.org/x/crypto/scrypt (checked by the layering tests in package
// passport/internal/layers; see docs/architecture.md).
package trust
