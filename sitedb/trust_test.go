package sitedb

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"passport/keys"
	"passport/trust"
)

var testNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func openTemp(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "site.db")
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func issuerCert(t testing.TB, code string) *x509.Certificate {
	t.Helper()
	iss, err := keys.NewIssuer(code, code+" Hospitals NHS Trust", testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	return iss.Cert
}

// selfSigned makes a certificate for pub signed by priv, like a foreign
// (non-passport) issuer would.
func selfSigned(t testing.TB, pub crypto.PublicKey, priv crypto.Signer, subject pkix.Name) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      subject,
		NotBefore:    testNow,
		NotAfter:     testNow.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAddReopenLookup(t *testing.T) {
	db, path := openTemp(t)
	cert := issuerCert(t, "RXX")
	got, err := db.AddCertificate(cert)
	if err != nil {
		t.Fatalf("AddCertificate: %v", err)
	}
	kid := trust.KeyID(cert.Raw)
	if !bytes.Equal(got.KID, kid) || got.OrgCode != "RXX" || got.OrgName != "RXX Hospitals NHS Trust" ||
		got.Source != trust.SourceDirect || !got.ValidFrom.Equal(cert.NotBefore) || !got.ValidUntil.Equal(cert.NotAfter) || got.Revoked {
		t.Fatalf("AddCertificate returned %+v", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db2, err := Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db2.Close()
	k, err := db2.Key(kid)
	if err != nil {
		t.Fatalf("Key after reopen: %v", err)
	}
	if k.OrgCode != "RXX" || k.Source != trust.SourceDirect || !k.ValidFrom.Equal(cert.NotBefore) || !k.ValidUntil.Equal(cert.NotAfter) {
		t.Fatalf("Key = %+v", k)
	}
	pub, ok := k.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(cert.PublicKey) {
		t.Fatalf("Key public key %T does not match the certificate", k.PublicKey)
	}
	k.KID[0] ^= 1 // callers get copies
	if _, err := db2.Key(kid); err != nil {
		t.Fatal("mutating a returned kid changed the cache")
	}
	for _, unknown := range [][]byte{[]byte("\x00\x01\x02\x03\x04\x05\x06\x07"), nil, kid[:7]} {
		if _, err := db2.Key(unknown); !errors.Is(err, trust.ErrUnknownKey) {
			t.Errorf("Key(%x): err = %v, want ErrUnknownKey", unknown, err)
		}
	}
	list, err := db2.Keys()
	if err != nil || len(list) != 1 || !bytes.Equal(list[0].KID, kid) || list[0].PublicKey == nil {
		t.Fatalf("Keys = %+v, %v", list, err)
	}
	info, err := db2.Info()
	if err != nil || info != (trust.ListInfo{Issuers: 1}) {
		t.Fatalf("Info = %+v, %v", info, err)
	}
}

func TestAddIsIdempotent(t *testing.T) {
	db, _ := openTemp(t)
	cert := issuerCert(t, "RXX")
	for i := 0; i < 3; i++ {
		if _, err := db.AddCertificate(cert); err != nil {
			t.Fatalf("add #%d: %v", i+1, err)
		}
	}
	if list, _ := db.Keys(); len(list) != 1 {
		t.Fatalf("%d keys after adding one certificate three times", len(list))
	}
	if _, err := db.AddCertificate(issuerCert(t, "RYY")); err != nil {
		t.Fatal(err)
	}
	if list, _ := db.Keys(); len(list) != 2 || list[0].OrgCode != "RXX" || list[1].OrgCode != "RYY" {
		t.Fatalf("Keys = %+v", list)
	}
}

func TestKeyTypes(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	dcc := pkix.Name{Country: []string{"DE"}, Organization: []string{"Robert Koch-Institut"}, CommonName: "DSC DE 1"}
	tests := []struct {
		name     string
		cert     *x509.Certificate
		wantType string // "" = refused
		wantCode string
	}{
		{"ecdsa p256", selfSigned(t, &p256.PublicKey, p256, dcc), "*ecdsa.PublicKey", "Robert Koch-Institut"},
		{"rsa 2048", selfSigned(t, &rsa2048.PublicKey, rsa2048, dcc), "*rsa.PublicKey", "Robert Koch-Institut"},
		{"ed25519 CN only", selfSigned(t, edPub, edPriv, pkix.Name{CommonName: "EdOrg"}), "ed25519.PublicKey", "EdOrg"},
		{"ecdsa p384", selfSigned(t, &p384.PublicKey, p384, dcc), "", ""},
		{"rsa 1024", selfSigned(t, &rsa1024.PublicKey, rsa1024, dcc), "", ""},
		{"no names", selfSigned(t, &p256.PublicKey, p256, pkix.Name{Country: []string{"FR"}}), "", ""},
	}
	db, path := openTemp(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := db.AddCertificateAs(tc.cert, trust.KindStaff, "")
			if tc.wantType == "" {
				if err == nil {
					t.Fatalf("accepted; want a refusal")
				}
				if !strings.Contains(err.Error(), "not supported") && !strings.Contains(err.Error(), "no organisation") {
					t.Fatalf("unclear refusal: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.OrgCode != tc.wantCode {
				t.Errorf("org code %q, want %q", k.OrgCode, tc.wantCode)
			}
		})
	}
	db.Close()
	db2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	n := 0
	for _, tc := range tests {
		k, err := db2.Key(trust.KeyID(tc.cert.Raw))
		if tc.wantType == "" {
			if !errors.Is(err, trust.ErrUnknownKey) {
				t.Errorf("%s: refused key is in the store: %v", tc.name, err)
			}
			continue
		}
		n++
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := fmt.Sprintf("%T", k.PublicKey); got != tc.wantType {
			t.Errorf("%s: public key type %s, want %s", tc.name, got, tc.wantType)
		}
		if !k.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.cert.PublicKey) {
			t.Errorf("%s: public key changed in the store", tc.name)
		}
	}
	if info, _ := db2.Info(); info.Issuers != n {
		t.Errorf("Info.Issuers = %d, want %d", info.Issuers, n)
	}
}

func TestOpenRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	otherApp := filepath.Join(dir, "other.db")
	raw, err := sql.Open("sqlite3", otherApp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE notes (x TEXT)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	tests := []struct {
		name, path string
		data       []byte // written first when non-nil
		want       string
	}{
		{"text file", "garbage.db", []byte("hello, this is not a database at all, just text\n"), "not a SQLite database"},
		{"pem file", "cert.pem", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n"), "not a SQLite database"},
		{"short file", "short.db", []byte("SQL"), "not a SQLite database"},
		{"damaged sqlite", "bad.db", append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xff}, 200)...), "not a passport site database"},
		{"other application", "other.db", nil, "not a passport site database"},
		{"missing directory", "nodir/site.db", nil, "directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.path)
			if tc.data != nil {
				if err := os.WriteFile(p, tc.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			db, err := Open(p)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if tc.data != nil {
				after, _ := os.ReadFile(p)
				if !bytes.Equal(after, tc.data) {
					t.Fatal("refused file was modified")
				}
			}
		})
	}
}

func TestSchemaVersion(t *testing.T) {
	db, path := openTemp(t)
	var version, appID int64
	db.sql.QueryRow("PRAGMA user_version").Scan(&version)
	db.sql.QueryRow("PRAGMA application_id").Scan(&appID)
	if version != SchemaVersion || appID != applicationID {
		t.Fatalf("user_version %d application_id %#x, want %d %#x", version, appID, SchemaVersion, applicationID)
	}
	var tables []string
	rows, err := db.sql.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if got := strings.Join(tables, ","); got != "authority_anchors,bundle,freshness,issuer_keys,log_chain,revoked_credentials,station_log,trust_changes" {
		t.Fatalf("tables %s", got)
	}
	db.Close()

	// Reopening a current store writes nothing.
	before, _ := os.ReadFile(path)
	db2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db2.Key([]byte("12345678")); !errors.Is(err, trust.ErrUnknownKey) {
		t.Fatal(err)
	}
	db2.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("opening a current store changed the file")
	}

	// A newer schema is refused.
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before, _ = os.ReadFile(path)
	if db3, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer") || !strings.Contains(err.Error(), "upgrade passport") {
		if db3 != nil {
			db3.Close()
		}
		t.Fatalf("newer schema: err = %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("refusing a newer schema changed the file")
	}
}

// TestMigrateVersion1WithLog: a version-1 file from an older passport, whose
// station had already created station_log itself, migrates to the current
// schema keeping its trusted keys and log rows.
func TestMigrateVersion1WithLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	v1 := migrations[0] + `
CREATE TABLE IF NOT EXISTS station_log (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, credential_id TEXT NOT NULL DEFAULT '',
    issuer TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, policy TEXT NOT NULL DEFAULT '',
    reason_codes TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '');
INSERT INTO station_log (at, status) VALUES (1, 'valid');
INSERT INTO revoked_credentials (cti) VALUES (x'0102');
PRAGMA application_id = 1347637332;
PRAGMA user_version = 1;`
	if _, err := raw.Exec(v1); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := OpenExisting(path)
	if err != nil {
		t.Fatalf("migrating a version-1 file: %v", err)
	}
	defer db.Close()
	var version, logRows int64
	db.sql.QueryRow("PRAGMA user_version").Scan(&version)
	db.sql.QueryRow("SELECT count(*) FROM station_log").Scan(&logRows)
	if version != SchemaVersion || logRows != 1 {
		t.Fatalf("after migration: version %d, %d log rows", version, logRows)
	}
	if ok, err := db.IsRevoked([]byte{1, 2}); !ok || err != nil {
		t.Fatalf("revoked id lost in migration: %v %v", ok, err)
	}
}

// TestOpenExistingRefusesNewFiles: only the commands that set a site up
// create a database; verify and serve refuse a missing, empty or foreign
// file and leave it as it was.
func TestOpenExistingRefusesNewFiles(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"missing.db", nil, "does not exist"},
		{"empty.db", []byte{}, "empty file"},
		{"text.db", []byte("not a database"), "not a SQLite database"},
	} {
		path := filepath.Join(dir, c.name)
		if c.data != nil {
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		db, err := OpenExisting(path)
		if err == nil {
			db.Close()
			t.Errorf("%s: opened", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		after, statErr := os.ReadFile(path)
		if c.data == nil && statErr == nil || c.data != nil && !bytes.Equal(after, c.data) {
			t.Errorf("%s: the file was created or changed", c.name)
		}
	}
}

func TestEmptyFileBecomesStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatalf("empty file: %v", err)
	}
	db.Close()
}

// TestCacheSeesOtherWriters: a long-running verifier sees keys added by
// another process (here another handle) without reopening.
func TestCacheSeesOtherWriters(t *testing.T) {
	reader, path := openTemp(t)
	writer, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	cert := issuerCert(t, "RXX")
	kid := trust.KeyID(cert.Raw)
	if _, err := reader.Key(kid); !errors.Is(err, trust.ErrUnknownKey) {
		t.Fatalf("before add: %v", err)
	}
	if _, err := writer.AddCertificate(cert); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Key(kid); err != nil {
		t.Fatalf("reader did not see the other handle's add: %v", err)
	}
}

// TestBundleRowsAndRevocation fills the bundle tables the way a bundle import
// will, and checks the TrustStore view: bundle rows win, revocations are
// seen, Info reports the bundle, and foreign keys are enforced.
func TestBundleRowsAndRevocation(t *testing.T) {
	db, _ := openTemp(t)
	cert := issuerCert(t, "RXX")
	if _, err := db.AddCertificate(cert); err != nil {
		t.Fatal(err)
	}
	kid := trust.KeyID(cert.Raw)
	if _, err := db.sql.Exec("INSERT INTO bundle (id, version, issued, expires, anchor_kid, imported_at, raw) VALUES (1, 7, 1, 2, x'00', 3, x'00')"); err == nil {
		t.Fatal("bundle row with an unknown anchor accepted: foreign keys are off")
	}
	comp := testNow.AddDate(1, 0, 0)
	cti := bytes.Repeat([]byte{0xab}, 16)
	issued, expires := testNow, testNow.AddDate(0, 1, 0)
	stmts := []struct {
		q    string
		args []any
	}{
		{"INSERT INTO authority_anchors (kid, name, public_key, added_at) VALUES (x'a1', 'authority', x'00', 0)", nil},
		{"INSERT INTO bundle (id, version, issued, expires, anchor_kid, imported_at, raw) VALUES (1, 7, ?, ?, x'a1', 0, x'00')", []any{issued.Unix(), expires.Unix()}},
		{`INSERT INTO issuer_keys (kid, source, org_code, org_name, public_key, valid_from, valid_until, revoked, revoked_from, added_at)
		  VALUES (?, 'bundle', 'RXX', 'Riverside', ?, NULL, NULL, 1, ?, 0)`, []any{kid, cert.RawSubjectPublicKeyInfo, comp.Unix()}},
		{"INSERT INTO revoked_credentials (cti) VALUES (?)", []any{cti}},
	}
	for _, s := range stmts {
		if _, err := db.sql.Exec(s.q, s.args...); err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	k, err := db.Key(kid)
	if err != nil {
		t.Fatal(err)
	}
	if k.Source != trust.SourceBundle || !k.Revoked || !k.RevokedFrom.Equal(comp) || !k.ValidFrom.IsZero() {
		t.Fatalf("Key = %+v, want the revoked bundle entry", k)
	}
	if err := k.CheckIssuedAt(comp.Add(time.Hour)); !errors.Is(err, trust.ErrKeyRevoked) {
		t.Fatalf("CheckIssuedAt after compromise: %v", err)
	}
	if r, err := db.IsRevoked(cti); err != nil || !r {
		t.Fatalf("IsRevoked(revoked) = %v, %v", r, err)
	}
	if r, err := db.IsRevoked(cti[:15]); err != nil || r {
		t.Fatalf("IsRevoked(other) = %v, %v", r, err)
	}
	info, err := db.Info()
	if err != nil {
		t.Fatal(err)
	}
	want := trust.ListInfo{Version: 7, Issued: issued, Expires: expires, Issuers: 1, Revoked: 1}
	if info != want {
		t.Fatalf("Info = %+v, want %+v", info, want)
	}
	if list, _ := db.Keys(); len(list) != 2 {
		t.Fatalf("Keys lists %d rows, want 2 (direct and bundle)", len(list))
	}
	// Re-adding directly still works and keeps the bundle's verdict.
	if _, err := db.AddCertificate(cert); err != nil {
		t.Fatal(err)
	}
	if k, _ := db.Key(kid); k == nil || !k.Revoked {
		t.Fatal("direct re-add overrode the bundle's revocation")
	}
}

func TestKidCollisionRefused(t *testing.T) {
	db, _ := openTemp(t)
	cert := issuerCert(t, "RXX")
	other := issuerCert(t, "RYY")
	kid := trust.KeyID(cert.Raw)
	// Plant a different key under cert's kid, as a 64-bit collision would.
	if _, err := db.sql.Exec(`INSERT INTO issuer_keys (kid, source, org_code, org_name, public_key, added_at)
		VALUES (?, 'bundle', 'RYY', 'Other', ?, 0)`, kid, other.RawSubjectPublicKeyInfo); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddCertificate(cert); err == nil || !strings.Contains(err.Error(), "different public key") {
		t.Fatalf("collision: err = %v", err)
	}
}

func TestDamagedKeyRow(t *testing.T) {
	db, _ := openTemp(t)
	kid := []byte("abcdefgh")
	if _, err := db.sql.Exec(`INSERT INTO issuer_keys (kid, source, org_code, org_name, public_key, added_at)
		VALUES (?, 'direct', 'RXX', 'X', x'3000', 0)`, kid); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Key(kid); err == nil || errors.Is(err, trust.ErrUnknownKey) || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged row: err = %v", err)
	}
	if _, err := db.Keys(); err == nil {
		t.Fatal("Keys accepted a damaged row")
	}
}

func TestConcurrentLookups(t *testing.T) {
	db, _ := openTemp(t)
	var kids [][]byte
	for _, code := range []string{"RA", "RB", "RC"} {
		c := issuerCert(t, code)
		if _, err := db.AddCertificate(c); err != nil {
			t.Fatal(err)
		}
		kids = append(kids, trust.KeyID(c.Raw))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := db.Key(kids[i%len(kids)]); err != nil {
					errs <- err
					return
				}
				if _, err := db.IsRevoked(kids[0]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// fill inserts n issuer keys and r revoked ids in one transaction and
// returns the kids.
func fill(tb testing.TB, db *DB, n, r int) [][]byte {
	tb.Helper()
	tx, err := db.sql.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	ins, err := tx.Prepare(`INSERT INTO issuer_keys (kid, source, org_code, org_name, public_key, valid_from, valid_until, added_at)
		VALUES (?, 'bundle', ?, ?, ?, ?, ?, 0)`)
	if err != nil {
		tb.Fatal(err)
	}
	kids := make([][]byte, n)
	for i := range kids {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		kids[i] = make([]byte, trust.KeyIDLen)
		rand.Read(kids[i])
		code := fmt.Sprintf("R%04d", i)
		if _, err := ins.Exec(kids[i], code, code, der, testNow.Unix(), testNow.AddDate(5, 0, 0).Unix()); err != nil {
			tb.Fatal(err)
		}
	}
	rev, err := tx.Prepare("INSERT INTO revoked_credentials (cti) VALUES (?)")
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < r; i++ {
		id := make([]byte, 16)
		rand.Read(id)
		if _, err := rev.Exec(id); err != nil {
			tb.Fatal(err)
		}
	}
	if err := db.commitTrust(context.Background(), tx); err != nil {
		tb.Fatal(err)
	}
	return kids
}

// BenchmarkKeyLookup: Key() on a store of 10,000 issuer keys and 100,000
// revoked ids, the size of a large national trust list.
func BenchmarkKeyLookup(b *testing.B) {
	db, _ := openTemp(b)
	kids := fill(b, db, 10000, 100000)
	for _, kid := range kids { // parse every key once, as a long-running verifier would have
		if _, err := db.Key(kid); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.Key(kids[i%len(kids)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIsRevoked: one revocation lookup among 100,000 revoked ids.
func BenchmarkIsRevoked(b *testing.B) {
	db, _ := openTemp(b)
	fill(b, db, 10, 100000)
	id := make([]byte, 16)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id[0], id[1] = byte(i), byte(i>>8)
		if _, err := db.IsRevoked(id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenFirstLookup: a CLI verify opens the store and looks up one
// key; the cost of loading 10,000 keys is paid once per process.
func BenchmarkOpenFirstLookup(b *testing.B) {
	db, path := openTemp(b)
	kids := fill(b, db, 10000, 100000)
	db.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Key(kids[i%len(kids)]); err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
}
