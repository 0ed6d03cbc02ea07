// Package keys holds the issuer side's private keys and nothing else: issuer
// and trust-authority key pairs (generated, encrypted at rest with an age
// scrypt recipient, loaded), signing of trust-list bundles, and the issuer's
// self-signed certificate. The public material those keys certify (key ids,
// certificates, bundles, the TrustStore interface) lives in package trust.
//
// An issuer key directory holds two files: issuer.key, the PKCS#8 private key
// encrypted with an age scrypt recipient (mode 0600), and issuer.crt, the
// self-signed certificate that receiving sites trust (`passport trust add`).
// The organisation code lives in the certificate as the subject alternative
// name URI "urn:passport:org:CODE" (see trust.OrgCodeOf).
//
// Import rules: keys may import credential and trust. Nothing on the verify
// side (trust, verify, policy, sitedb, station) may import keys: it is the
// only package that links age and scrypt (see docs/architecture.md).
package keys
