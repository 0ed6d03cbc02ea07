package verify_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"passport/credential"
	"passport/credential/sign"
	"passport/keys"
	"passport/sitedb"
	"passport/trust"
	"passport/verify"
)

// The trust-list timeline these tests play out.
var (
	tT0       = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) // old key made
	tRotate   = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC) // old key's valid_until, new key's valid_from
	tNow      = time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	tIssued   = time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC) // bundles issued
	tExpires  = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	tCompromi = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) // old key compromised
)

func passportClaims(org string, iat time.Time, id byte) *credential.Claims {
	return &credential.Claims{
		Issuer: org, IssuedAt: iat, NotBefore: iat, Expires: iat.AddDate(2, 0, 0),
		ID: bytes.Repeat([]byte{id}, 16),
		Body: credential.Body{
			Version:    credential.SchemaVersion,
			Person:     credential.Person{Name: "Zoë Whitfield", StaffNumber: fmt.Sprintf("T%03d", id)},
			Employment: credential.Employment{OrgCode: org, OrgName: org + " Trust (TEST)", Role: "Staff Nurse"},
		},
	}
}

func issue(t testing.TB, iss *keys.Issuer, iat time.Time, id byte) string {
	t.Helper()
	text, err := sign.Issue(passportClaims(iss.OrgCode, iat, id), iss.Key, iss.KID)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func newIssuer(t testing.TB, code string, at time.Time) *keys.Issuer {
	t.Helper()
	iss, err := keys.NewIssuer(code, code+" Trust (TEST)", at, 0)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

type trustWorld struct {
	db       *sitedb.DB
	auth     *keys.Authority
	old, new *keys.Issuer // two keys of RXA, rotated at tRotate
	direct   *keys.Issuer // RXD, trusted with `trust add` only
}

func (w *trustWorld) entries(t testing.TB) (oldE, newE trust.BundleIssuer) {
	var err error
	if oldE, err = trust.IssuerFromCertificate(w.old.Cert); err != nil {
		t.Fatal(err)
	}
	if newE, err = trust.IssuerFromCertificate(w.new.Cert); err != nil {
		t.Fatal(err)
	}
	oldE.ValidUntil = tRotate
	newE.ValidFrom = tRotate
	return oldE, newE
}

func (w *trustWorld) importBundle(t testing.TB, version int64, issuers []trust.BundleIssuer, revoked [][]byte) {
	t.Helper()
	data, err := w.auth.SignBundle(&trust.Bundle{Version: version, Issued: tIssued, Expires: tExpires, Issuers: issuers, Revoked: revoked})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ImportBundle(data, sitedb.ImportOptions{Now: tNow}); err != nil {
		t.Fatal(err)
	}
}

func newTrustWorld(t testing.TB) *trustWorld {
	t.Helper()
	db, err := sitedb.Open(filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	auth, err := keys.NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddAnchor(&auth.Key.PublicKey, "test"); err != nil {
		t.Fatal(err)
	}
	w := &trustWorld{db: db, auth: auth, old: newIssuer(t, "RXA", tT0), new: newIssuer(t, "RXA", tT0), direct: newIssuer(t, "RXD", tT0)}
	if _, err := db.AddCertificate(w.direct.Cert); err != nil {
		t.Fatal(err)
	}
	return w
}

func wantVerdict(t *testing.T, r verify.Result, status verify.Status, reason credential.Reason) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %s, want %s; reasons %+v", r.Status, status, r.Reasons)
	}
	if reason != "" && !slices.ContainsFunc(r.Reasons, func(x verify.Reason) bool { return x.Code == reason }) {
		t.Fatalf("reasons %+v, want %s", r.Reasons, reason)
	}
}

// TestKeyRotationAndRevocation plays a year of an issuer's keys through
// real bundles in a real SQLite store.
func TestKeyRotationAndRevocation(t *testing.T) {
	w := newTrustWorld(t)
	oldE, newE := w.entries(t)
	beforeCompromise := issue(t, w.old, tCompromi.Add(-24*time.Hour), 1)
	afterCompromise := issue(t, w.old, tCompromi.Add(24*time.Hour), 2)
	oldAfterRotation := issue(t, w.old, tRotate.Add(24*time.Hour), 3)
	newKey := issue(t, w.new, tRotate.Add(48*time.Hour), 4)
	newKeyBeforeItsTime := issue(t, w.new, tRotate.Add(-48*time.Hour), 5)
	direct := issue(t, w.direct, tT0.Add(24*time.Hour), 6)
	opts := verify.Options{Now: tNow}
	check := func(text string) verify.Result { return verify.Text("t", text, w.db, opts) }

	// v1: rotation only.
	w.importBundle(t, 1, []trust.BundleIssuer{oldE, newE}, nil)
	t.Run("rotation", func(t *testing.T) {
		wantVerdict(t, check(beforeCompromise), verify.StatusValid, "")
		wantVerdict(t, check(afterCompromise), verify.StatusValid, "")
		wantVerdict(t, check(oldAfterRotation), verify.StatusInvalid, verify.ReasonKeyNotValid)
		wantVerdict(t, check(newKey), verify.StatusValid, "")
		wantVerdict(t, check(newKeyBeforeItsTime), verify.StatusInvalid, verify.ReasonKeyNotValid)
		wantVerdict(t, check(direct), verify.StatusValid, "")
	})

	// v2: the old key was compromised on tCompromi; one credential id revoked.
	oldE.Revoked, oldE.RevokedFrom = true, tCompromi
	w.importBundle(t, 2, []trust.BundleIssuer{oldE, newE}, [][]byte{bytes.Repeat([]byte{4}, 16)})
	t.Run("compromise date", func(t *testing.T) {
		wantVerdict(t, check(beforeCompromise), verify.StatusValid, "")
		wantVerdict(t, check(afterCompromise), verify.StatusInvalid, verify.ReasonIssuerRevoked)
		wantVerdict(t, check(newKey), verify.StatusInvalid, verify.ReasonRevoked)
		wantVerdict(t, check(direct), verify.StatusValid, "")
	})

	// v3: the new key revoked outright; the direct key revoked by the authority.
	newE.Revoked = true
	dE, err := trust.IssuerFromCertificate(w.direct.Cert)
	if err != nil {
		t.Fatal(err)
	}
	dE.Revoked = true
	w.importBundle(t, 3, []trust.BundleIssuer{oldE, newE, dE}, nil)
	t.Run("whole key revoked", func(t *testing.T) {
		wantVerdict(t, check(newKey), verify.StatusInvalid, verify.ReasonIssuerRevoked)
		wantVerdict(t, check(direct), verify.StatusInvalid, verify.ReasonIssuerRevoked)
		wantVerdict(t, check(beforeCompromise), verify.StatusValid, "")
	})
}

// TestTrustListExpiryWarning: every result carries the list's version and
// expiry, and a warning once the list is past it.
func TestTrustListExpiryWarning(t *testing.T) {
	w := newTrustWorld(t)
	oldE, newE := w.entries(t)
	w.importBundle(t, 7, []trust.BundleIssuer{oldE, newE}, nil)
	text := issue(t, w.old, tT0.Add(time.Hour), 1)
	for _, tc := range []struct {
		now     time.Time
		expired bool
	}{{tNow, false}, {tExpires.Add(time.Hour), true}} {
		r := verify.Text("t", text, w.db, verify.Options{Now: tc.now})
		wantVerdict(t, r, verify.StatusValid, "")
		if r.TrustList == nil || r.TrustList.Version != 7 || r.TrustList.Expires != tExpires.Format(time.RFC3339) || r.TrustList.Expired != tc.expired {
			t.Fatalf("at %v: trust list %+v", tc.now, r.TrustList)
		}
		warned := slices.ContainsFunc(r.Warnings, func(x verify.Reason) bool { return x.Code == verify.WarnTrustListExpired })
		if warned != tc.expired {
			t.Fatalf("at %v: warnings %+v", tc.now, r.Warnings)
		}
		js, _ := json.Marshal(r)
		if !strings.Contains(string(js), `"trust_list":{"version":7,`) {
			t.Fatalf("JSON lacks the trust list: %s", js)
		}
	}
}

// TestBundleRevokesDCC: a DCC signer delivered by a bundle, and its
// certificate identifier revoked by the next bundle.
func TestBundleRevokesDCC(t *testing.T) {
	w := newTrustWorld(t)
	ec, _ := signers(t)
	e, err := trust.IssuerFromCertificate(ec.cert)
	if err != nil {
		t.Fatal(err)
	}
	text := makeDCC(t, dccOpts{signer: ec, protectedKID: true, tagged: true, hcert: dccHcert("v", ciGood)})
	data, _ := w.auth.SignBundle(&trust.Bundle{Version: 1, Issued: dccIat, Expires: dccNow.AddDate(0, 1, 0), Issuers: []trust.BundleIssuer{e}})
	if _, err := w.db.ImportBundle(data, sitedb.ImportOptions{Now: dccNow}); err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, verify.Text("dcc", text, w.db, verify.Options{Now: dccNow}), verify.StatusValid, "")
	id, err := trust.ParseRevokedID(ciGood)
	if err != nil {
		t.Fatal(err)
	}
	data, _ = w.auth.SignBundle(&trust.Bundle{Version: 2, Issued: dccIat, Expires: dccNow.AddDate(0, 1, 0), Issuers: []trust.BundleIssuer{e}, Revoked: [][]byte{id}})
	if _, err := w.db.ImportBundle(data, sitedb.ImportOptions{Now: dccNow}); err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, verify.Text("dcc", text, w.db, verify.Options{Now: dccNow}), verify.StatusInvalid, verify.ReasonRevoked)
}

// loadedStore is a SQLite store holding a bundle of nIssuers keys and
// nRevoked ids, plus iss trusted directly.
func loadedStore(b testing.TB, iss *keys.Issuer, nIssuers, nRevoked int) *sitedb.DB {
	db, err := sitedb.Open(filepath.Join(b.TempDir(), "site.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	auth, _ := keys.NewAuthority()
	db.AddAnchor(&auth.Key.PublicKey, "bench")
	if _, err := db.AddCertificate(iss.Cert); err != nil {
		b.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	bundle := &trust.Bundle{Version: 1, Issued: tIssued, Expires: tExpires}
	for i := 0; i < nIssuers; i++ {
		// Each is a staff-passport issuer, bound by its org-code URI as
		// `keys new` makes them (a certificate without a kind is refused).
		uri, err := url.Parse(fmt.Sprintf("%sB%05d", trust.OrgCodeURIPrefix, i))
		if err != nil {
			b.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{Organization: []string{fmt.Sprintf("Org %05d", i)}},
			NotBefore: tT0, NotAfter: tT0.AddDate(5, 0, 0), URIs: []*url.URL{uri}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			b.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			b.Fatal(err)
		}
		e, err := trust.IssuerFromCertificate(c)
		if err != nil {
			b.Fatal(err)
		}
		bundle.Issuers = append(bundle.Issuers, e)
	}
	for i := 0; i < nRevoked; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprint(i)))
		bundle.Revoked = append(bundle.Revoked, sum[:16])
	}
	data, err := auth.SignBundle(bundle)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := db.ImportBundle(data, sitedb.ImportOptions{Now: tNow}); err != nil {
		b.Fatal(err)
	}
	b.Logf("imported %d issuers, %d revoked ids (%d bytes) in %v", nIssuers, nRevoked, len(data), time.Since(start))
	return db
}

// BenchmarkVerifyText: one text credential verified end to end (decode,
// key lookup, ES256 signature, claims, revocation and list info), against
// an in-memory store, an empty SQLite store and a SQLite store loaded with
// 10,000 issuer keys and 100,000 revoked ids (100 and 1,000 with -short,
// so that a one-iteration smoke run of every benchmark stays quick and
// still goes through the loaded store's code).
func BenchmarkVerifyText(b *testing.B) {
	nIssuers, nRevoked := 10000, 100000
	if testing.Short() {
		nIssuers, nRevoked = 100, 1000
	}
	iss := newIssuer(b, "RXA", tT0)
	text := issue(b, iss, tT0.Add(time.Hour), 1)
	mem := trust.NewMemoryStore()
	mem.Add(trust.TrustedKey{KID: iss.KID, OrgCode: "RXA", OrgName: "RXA", PublicKey: &iss.Key.PublicKey})
	stores := []struct {
		name  string
		store func() trust.TrustStore
	}{
		{"memory", func() trust.TrustStore { return mem }},
		{"sqlite-direct", func() trust.TrustStore { return loadedStore(b, iss, 0, 0) }},
		{"sqlite-10k-issuers-100k-revoked", func() trust.TrustStore { return loadedStore(b, iss, nIssuers, nRevoked) }},
	}
	// The baseline, measured in the same run: the bare ES256 signature
	// check that every verification must pay. Report verify as a ratio to it.
	b.Run("baseline-ecdsa-p256-verify", func(b *testing.B) {
		digest := sha256.Sum256([]byte(text))
		sig, err := ecdsa.SignASN1(rand.Reader, iss.Key, digest[:])
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if !ecdsa.VerifyASN1(&iss.Key.PublicKey, digest[:], sig) {
				b.Fatal("baseline signature does not verify")
			}
		}
	})
	for _, s := range stores {
		store := s.store()
		b.Run(s.name, func(b *testing.B) {
			opts := verify.Options{Now: tNow}
			for i := 0; i < b.N; i++ {
				if r := verify.Text("b", text, store, opts); r.Status != verify.StatusValid {
					b.Fatalf("%+v", r.Reasons)
				}
			}
		})
	}
}

// BenchmarkVerifyDCC: an EU DCC (ES256 and PS256) against a SQLite store.
func BenchmarkVerifyDCC(b *testing.B) {
	ec, rs := signers(b)
	db := dccStore(b)
	for _, s := range []*dccSigner{ec, rs} {
		text := makeDCC(b, dccOpts{signer: s, tagged: true, protectedKID: true, hcert: dccHcert("v", ciGood)})
		name := "ES256"
		if s == rs {
			name = "PS256"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if r := verify.Text("b", text, db, verify.Options{Now: dccNow}); r.Status != verify.StatusValid {
					b.Fatalf("%+v", r.Reasons)
				}
			}
		})
	}
}
