package sitedb

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passport/internal/sqlitedb"
	"passport/trust"
)

// TestKeyKindMigration: a site database from before keys
// were bound to a kind (schema version 2) opens at version 3 with every
// existing key a staff-passport key, the fail-closed reading; adding a DCC
// signer again with its kind rebinds it.
func TestKeyKindMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old := schema
	old.Migrations = migrations[:2]
	sdb, err := sqlitedb.Open(path, &old, sqlitedb.Create)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsc := selfSigned(t, &priv.PublicKey, priv, pkix.Name{Country: []string{"DE"}, Organization: []string{"RKI (TEST)"}})
	if _, err := sdb.Exec(`INSERT INTO issuer_keys (kid, source, org_code, org_name, public_key, certificate, added_at)
		VALUES (?, 'direct', 'RKI', 'RKI (TEST)', ?, ?, ?)`, trust.KeyID(dsc.Raw), dsc.RawSubjectPublicKeyInfo, dsc.Raw, time.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	sdb.Close()

	db, err := OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k, err := db.Key(trust.KeyID(dsc.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if k.Kind != trust.KindStaff || k.Country != "" {
		t.Fatalf("a key from schema version 2 reads as %q %q, want staff", k.Kind, k.Country)
	}
	// trust add again, now inferring: the certificate is a DE DCC signer.
	if k, err = db.AddCertificate(dsc); err != nil || k.Kind != trust.KindDCC || k.Country != "DE" {
		t.Fatalf("re-adding the DCC signer: %+v, %v", k, err)
	}
	if k, err = db.Key(trust.KeyID(dsc.Raw)); err != nil || k.Kind != trust.KindDCC || k.Country != "DE" {
		t.Fatalf("after re-adding, the store has %+v, %v", k, err)
	}
	// A binding that does not hold together is refused.
	if _, err := db.AddCertificateAs(dsc, trust.KindDCC, "Germany"); err == nil || !strings.Contains(err.Error(), "two-letter") {
		t.Fatalf("country \"Germany\" accepted: %v", err)
	}
	// A certificate that is neither kind cannot be added without saying which.
	bare := selfSigned(t, &priv.PublicKey, priv, pkix.Name{CommonName: "no country"})
	if _, err := db.AddCertificate(bare); err == nil || !strings.Contains(err.Error(), "--kind") {
		t.Fatalf("a certificate with neither org code nor country: %v, want a hint naming --kind", err)
	}
}
