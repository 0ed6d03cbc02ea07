package sitedb

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"passport/keys"
	"passport/trust"
)

func newAuthority(t testing.TB) *keys.Authority {
	t.Helper()
	a, err := keys.NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func bundleEntry(t testing.TB, code string) trust.BundleIssuer {
	t.Helper()
	bi, err := trust.IssuerFromCertificate(issuerCert(t, code))
	if err != nil {
		t.Fatal(err)
	}
	return bi
}

func revokedIDs(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		sum := sha256.Sum256([]byte(fmt.Sprint(i)))
		out[i] = sum[:16]
	}
	return out
}

func sign(t testing.TB, a *keys.Authority, b *trust.Bundle) []byte {
	t.Helper()
	if b.Issued.IsZero() {
		b.Issued = testNow
	}
	if b.Expires.IsZero() {
		b.Expires = testNow.AddDate(0, 3, 0)
	}
	data, err := a.SignBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// signPayload signs raw CBOR as a bundle, bypassing Validate, so tests can
// hand the importer what a buggy or hostile authority tool might write.
func signPayload(t testing.TB, a *keys.Authority, payload []byte) []byte {
	t.Helper()
	s, err := cose.NewSigner(cose.AlgorithmES256, a.Key)
	if err != nil {
		t.Fatal(err)
	}
	m := cose.NewSign1Message()
	m.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	m.Headers.Protected[cose.HeaderLabelKeyID] = a.KID
	m.Headers.Protected[cose.HeaderLabelContentType] = trust.BundleContentType
	m.Payload = payload
	if err := m.Sign(rand.Reader, nil, s); err != nil {
		t.Fatal(err)
	}
	out, err := m.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func pin(t testing.TB, db *DB, a *keys.Authority) {
	t.Helper()
	if _, err := db.AddAnchor(&a.Key.PublicKey, "test authority"); err != nil {
		t.Fatal(err)
	}
}

// state describes everything a verifier reads from the store, so a refused
// or interrupted import can be shown to have changed nothing.
func state(t testing.TB, db *DB) string {
	t.Helper()
	info, err := db.Info()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "info %+v\n", info)
	ks, err := db.Keys()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		fmt.Fprintf(&b, "key %x %s %s %v %v %v %v\n", k.KID, k.Source, k.OrgCode, k.ValidFrom, k.ValidUntil, k.Revoked, k.RevokedFrom)
	}
	rows, err := db.sql.Query("SELECT cti FROM revoked_credentials ORDER BY cti")
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for rows.Next() {
		var id []byte
		rows.Scan(&id)
		h.Write(id)
	}
	rows.Close()
	fmt.Fprintf(&b, "revoked %x\n", h.Sum(nil))
	cur, err := db.CurrentBundle()
	if err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		fmt.Fprintf(&b, "bundle %d %x\n", cur.Version, sha256.Sum256(cur.Raw))
	}
	return b.String()
}

func TestImportBundle(t *testing.T) {
	db, _ := openTemp(t)
	auth := newAuthority(t)
	pin(t, db, auth)
	direct := issuerCert(t, "RXD")
	if _, err := db.AddCertificate(direct); err != nil {
		t.Fatal(err)
	}
	a, b := bundleEntry(t, "RXA"), bundleEntry(t, "RXB")
	b.Revoked, b.RevokedFrom = true, testNow.AddDate(0, 1, 0)
	ci := []byte("URN:UVCI:01:DE:187/37512422923")
	cti := bytes.Repeat([]byte{0xab}, 16)
	data := sign(t, auth, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{a, b}, Revoked: [][]byte{cti, ci}})
	rep, err := db.ImportBundle(data, ImportOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if rep.PrevVersion != 0 || rep.Bundle.Version != 1 || !bytes.Equal(rep.AnchorKID, auth.KID) {
		t.Fatalf("report %+v", rep)
	}
	info, _ := db.Info()
	want := trust.ListInfo{Version: 1, Issued: testNow, Expires: testNow.AddDate(0, 3, 0), Issuers: 3, Revoked: 2}
	if info != want {
		t.Fatalf("Info = %+v, want %+v", info, want)
	}
	for _, kid := range [][]byte{a.KID, b.KID, trust.KeyID(direct.Raw)} {
		if _, err := db.Key(kid); err != nil {
			t.Fatalf("Key(%x): %v", kid, err)
		}
	}
	kb, _ := db.Key(b.KID)
	if kb.Source != trust.SourceBundle || !kb.Revoked || !kb.RevokedFrom.Equal(b.RevokedFrom) {
		t.Fatalf("revoked entry = %+v", kb)
	}
	if err := kb.CheckIssuedAt(testNow); err != nil {
		t.Fatalf("issued before the compromise date: %v", err)
	}
	if err := kb.CheckIssuedAt(b.RevokedFrom); !errors.Is(err, trust.ErrKeyRevoked) {
		t.Fatalf("issued at the compromise date: %v", err)
	}
	for _, id := range [][]byte{cti, ci} {
		if r, err := db.IsRevoked(id); err != nil || !r {
			t.Fatalf("IsRevoked(%q) = %v, %v", id, r, err)
		}
	}
	cur, err := db.CurrentBundle()
	if err != nil || cur == nil || !bytes.Equal(cur.Raw, data) || cur.Version != 1 {
		t.Fatalf("CurrentBundle = %+v, %v", cur, err)
	}

	// Version 2 drops RXB and the revocations; the direct key stays.
	data2 := sign(t, auth, &trust.Bundle{Version: 2, Issuers: []trust.BundleIssuer{a}})
	if rep, err = db.ImportBundle(data2, ImportOptions{Now: testNow}); err != nil || rep.PrevVersion != 1 {
		t.Fatalf("import v2: %+v, %v", rep, err)
	}
	if _, err := db.Key(b.KID); !errors.Is(err, trust.ErrUnknownKey) {
		t.Fatalf("key dropped from the bundle still trusted: %v", err)
	}
	if _, err := db.Key(trust.KeyID(direct.Raw)); err != nil {
		t.Fatalf("direct key lost on import: %v", err)
	}
	if r, _ := db.IsRevoked(cti); r {
		t.Fatal("revocation of the old bundle survived")
	}
	if info, _ := db.Info(); info.Version != 2 || info.Issuers != 2 || info.Revoked != 0 {
		t.Fatalf("Info after v2 = %+v", info)
	}
}

// TestBundleRevokesDirectKey: a kid trusted both directly and by the
// bundle takes the bundle's status.
func TestBundleRevokesDirectKey(t *testing.T) {
	db, _ := openTemp(t)
	auth := newAuthority(t)
	pin(t, db, auth)
	cert := issuerCert(t, "RXD")
	if _, err := db.AddCertificate(cert); err != nil {
		t.Fatal(err)
	}
	e, _ := trust.IssuerFromCertificate(cert)
	e.Revoked = true
	if _, err := db.ImportBundle(sign(t, auth, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{e}}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if k, err := db.Key(e.KID); err != nil || !k.Revoked || k.Source != trust.SourceBundle {
		t.Fatalf("Key = %+v, %v", k, err)
	}
}

// TestImportRefusals: every refused import names its cause and leaves the
// list in force exactly as it was.
func TestImportRefusals(t *testing.T) {
	auth, rogue := newAuthority(t), newAuthority(t)
	a := bundleEntry(t, "RXA")
	good := func(v int64) []byte {
		return sign(t, auth, &trust.Bundle{Version: v, Issuers: []trust.BundleIssuer{a}, Revoked: revokedIDs(3)})
	}
	v5 := good(5)
	payload := func(edit func(m map[int]any)) []byte {
		sb, err := trust.ParseSignedBundle(good(9))
		if err != nil {
			t.Fatal(err)
		}
		b, err := sb.Verify(&auth.Key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := trust.MarshalBundle(b)
		var m map[int]any
		if err := cbor.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		em, _ := cbor.CoreDetEncOptions().EncMode()
		out, err := em.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return signPayload(t, auth, out)
	}
	cases := []struct {
		name string
		data []byte
		opts ImportOptions
		want error
	}{
		{"unpinned authority", sign(t, rogue, &trust.Bundle{Version: 9, Issuers: []trust.BundleIssuer{a}}), ImportOptions{}, ErrNotPinned},
		{"signature fails", func() []byte { d := good(9); d[len(d)-1] ^= 1; return d }(), ImportOptions{}, trust.ErrBundleSignature},
		{"rogue key under the pinned kid", func() []byte {
			fake := &keys.Authority{Key: rogue.Key, KID: auth.KID}
			return sign(t, fake, &trust.Bundle{Version: 9, Issuers: []trust.BundleIssuer{a}})
		}(), ImportOptions{}, trust.ErrBundleSignature},
		{"same version", v5, ImportOptions{}, ErrRollback},
		{"older version", good(4), ImportOptions{}, ErrRollback},
		{"expired", good(9), ImportOptions{Now: testNow.AddDate(1, 0, 0)}, ErrBundleExpired},
		{"expires this very second", good(9), ImportOptions{Now: testNow.AddDate(0, 3, 0)}, ErrBundleExpired},
		{"duplicate key ids", payload(func(m map[int]any) { m[4] = append(m[4].([]any), m[4].([]any)[0]) }), ImportOptions{}, trust.ErrBundleMalformed},
		{"malformed entry", payload(func(m map[int]any) { m[4].([]any)[0].(map[any]any)[uint64(1)] = []byte{1, 2} }), ImportOptions{}, trust.ErrBundleMalformed},
		{"duplicate revoked id", payload(func(m map[int]any) { m[5] = append(m[5].([]any), m[5].([]any)[0]) }), ImportOptions{}, trust.ErrBundleMalformed},
		{"unknown field", payload(func(m map[int]any) { m[6] = "extra" }), ImportOptions{}, trust.ErrBundleMalformed},
		{"not a bundle", []byte("SP1:NCFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3HSCV"), ImportOptions{}, trust.ErrBundleMalformed},
		{"truncated", v5[:len(v5)-10], ImportOptions{}, trust.ErrBundleMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTemp(t)
			pin(t, db, auth)
			if _, err := db.ImportBundle(v5, ImportOptions{Now: testNow}); err != nil {
				t.Fatal(err)
			}
			before := state(t, db)
			if tc.opts.Now.IsZero() {
				tc.opts.Now = testNow
			}
			_, err := db.ImportBundle(tc.data, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if after := state(t, db); after != before {
				t.Fatalf("refused import changed the store:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	t.Run("force accepts an older version", func(t *testing.T) {
		db, _ := openTemp(t)
		pin(t, db, auth)
		db.ImportBundle(v5, ImportOptions{Now: testNow})
		if rep, err := db.ImportBundle(good(4), ImportOptions{Now: testNow, ForceRollback: true}); err != nil || rep.PrevVersion != 5 {
			t.Fatalf("forced rollback: %+v, %v", rep, err)
		}
		if info, _ := db.Info(); info.Version != 4 {
			t.Fatalf("version %d after forced rollback", info.Version)
		}
	})
	t.Run("no anchor pinned", func(t *testing.T) {
		db, _ := openTemp(t)
		if _, err := db.ImportBundle(v5, ImportOptions{Now: testNow}); !errors.Is(err, ErrNoAnchor) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("kid trusted directly for another key", func(t *testing.T) {
		db, _ := openTemp(t)
		pin(t, db, auth)
		other := issuerCert(t, "RYY")
		if _, err := db.sql.Exec(`INSERT INTO issuer_keys (kid, source, org_code, org_name, public_key, added_at)
			VALUES (?, 'direct', 'RYY', 'Other', ?, 0)`, a.KID, other.RawSubjectPublicKeyInfo); err != nil {
			t.Fatal(err)
		}
		before := state(t, db)
		if _, err := db.ImportBundle(v5, ImportOptions{Now: testNow}); !errors.Is(err, ErrKidConflict) {
			t.Fatalf("err = %v", err)
		}
		if state(t, db) != before {
			t.Fatal("store changed")
		}
	})
}

// TestAnchorRollover: two pinned authority keys; bundles from either are
// accepted, versions continue across the rollover.
func TestAnchorRollover(t *testing.T) {
	db, _ := openTemp(t)
	oldA, newA := newAuthority(t), newAuthority(t)
	pin(t, db, oldA)
	a := bundleEntry(t, "RXA")
	if _, err := db.ImportBundle(sign(t, oldA, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{a}}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportBundle(sign(t, newA, &trust.Bundle{Version: 2, Issuers: []trust.BundleIssuer{a}}), ImportOptions{Now: testNow}); !errors.Is(err, ErrNotPinned) {
		t.Fatalf("new authority before pinning: %v", err)
	}
	pin(t, db, newA)
	pin(t, db, newA) // idempotent
	if as, _ := db.Anchors(); len(as) != 2 {
		t.Fatalf("%d anchors", len(as))
	}
	if _, err := db.ImportBundle(sign(t, newA, &trust.Bundle{Version: 2, Issuers: []trust.BundleIssuer{a}}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if cur, _ := db.CurrentBundle(); !bytes.Equal(cur.AnchorKID, newA.KID) {
		t.Fatalf("anchor %x, want the new one", cur.AnchorKID)
	}
}

// TestImportInjectedFailure: a failure between any two writes of an import
// rolls everything back; the next import then succeeds.
func TestImportInjectedFailure(t *testing.T) {
	auth := newAuthority(t)
	v1 := sign(t, auth, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bundleEntry(t, "RXA"), bundleEntry(t, "RXB")}, Revoked: revokedIDs(50)})
	v2 := sign(t, auth, &trust.Bundle{Version: 2, Issuers: []trust.BundleIssuer{bundleEntry(t, "RXC")}, Revoked: revokedIDs(10)})
	for _, stage := range []string{"deleted", "issuers-half", "issuers", "revoked", "bundle"} {
		t.Run(stage, func(t *testing.T) {
			db, _ := openTemp(t)
			pin(t, db, auth)
			if _, err := db.ImportBundle(v1, ImportOptions{Now: testNow}); err != nil {
				t.Fatal(err)
			}
			before := state(t, db)
			injected := errors.New("injected failure")
			hit := false
			importHook = func(s string) error {
				if s == stage {
					hit = true
					return injected
				}
				return nil
			}
			_, err := db.ImportBundle(v2, ImportOptions{Now: testNow})
			importHook = nil
			if !hit || !errors.Is(err, injected) {
				t.Fatalf("hook hit %v, err %v", hit, err)
			}
			if after := state(t, db); after != before {
				t.Fatalf("failed import changed the store:\nbefore %s\nafter  %s", before, after)
			}
			for _, k := range mustKeys(t, db) { // the cache serves the old keys too
				if _, err := db.Key(k.KID); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.ImportBundle(v2, ImportOptions{Now: testNow}); err != nil {
				t.Fatalf("import after a failed one: %v", err)
			}
		})
	}
}

func mustKeys(t testing.TB, db *DB) []trust.TrustedKey {
	ks, err := db.Keys()
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// Environment of the crash helper process (TestImportCrashChild).
const (
	crashDBEnv     = "PASSPORT_TEST_CRASH_DB"
	crashBundleEnv = "PASSPORT_TEST_CRASH_BUNDLE"
	crashStageEnv  = "PASSPORT_TEST_CRASH_STAGE"
)

// TestImportCrashChild is the helper process of TestImportKilledMidway: it
// imports a bundle and SIGKILLs itself at the named stage, inside the
// import's transaction. It does nothing in a normal test run.
func TestImportCrashChild(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("helper process for TestImportKilledMidway")
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(os.Getenv(crashBundleEnv))
	if err != nil {
		t.Fatal(err)
	}
	stage := os.Getenv(crashStageEnv)
	importHook = func(s string) error {
		if s == stage {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Minute)
		}
		return nil
	}
	db.ImportBundle(data, ImportOptions{Now: testNow})
	t.Fatal("the import finished: the kill never happened")
}

// TestImportKilledMidway kills a real process in the middle of an import
// (SIGKILL: no deferred rollback, no cleanup) and then finds the previous
// list whole. The new bundle revokes 200,000 ids, more than SQLite's page
// cache holds, so by the later stages the killed process has written pages
// of the new list into the database file itself; the hot journal left
// behind is what restores the old list.
func TestImportKilledMidway(t *testing.T) {
	if os.Getenv(crashDBEnv) != "" {
		t.Skip("in the helper process")
	}
	if testing.Short() {
		t.Skip("builds a 200,000-id bundle")
	}
	auth := newAuthority(t)
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.db")
	db, err := Open(seed)
	if err != nil {
		t.Fatal(err)
	}
	pin(t, db, auth)
	if _, err := db.AddCertificate(issuerCert(t, "RXD")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportBundle(sign(t, auth, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bundleEntry(t, "RXA"), bundleEntry(t, "RXB")},
		Revoked: revokedIDs(1000)}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	before := state(t, db)
	db.Close()
	seedData, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	var many []trust.BundleIssuer
	for i := 0; i < 20; i++ {
		many = append(many, bundleEntry(t, fmt.Sprintf("RN%d", i)))
	}
	bundlePath := filepath.Join(dir, "v2.bundle")
	ids := revokedIDs(201000)[1000:]
	if err := os.WriteFile(bundlePath, sign(t, auth, &trust.Bundle{Version: 2, Issuers: many, Revoked: ids}), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, stage := range []string{"deleted", "issuers-half", "revoked", "bundle"} {
		t.Run(stage, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "site.db")
			if err := os.WriteFile(path, seedData, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestImportCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashBundleEnv+"="+bundlePath, crashStageEnv+"="+stage)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed mid-import: %v\n%s", err, out)
			}
			if _, err := os.Stat(path + "-journal"); err != nil {
				t.Fatalf("no hot journal after the kill: %v", err)
			}
			raw, _ := os.ReadFile(path)
			changed := !bytes.Equal(raw, seedData)
			t.Logf("database file modified by the killed import: %v", changed)
			if stage == "revoked" && !changed {
				t.Fatal("the killed import wrote nothing to the database file: the test proves nothing")
			}
			db, err := Open(path)
			if err != nil {
				t.Fatalf("reopening after the kill: %v", err)
			}
			defer db.Close()
			if after := state(t, db); after != before {
				t.Fatalf("killed import changed the store:\nbefore %s\nafter  %s", before, after)
			}
			data, _ := os.ReadFile(bundlePath)
			if _, err := db.ImportBundle(data, ImportOptions{Now: testNow}); err != nil {
				t.Fatalf("import after the kill: %v", err)
			}
			if info, _ := db.Info(); info.Version != 2 || info.Revoked != len(ids) {
				t.Fatalf("Info after re-import = %+v", info)
			}
		})
	}
}

// largeBundle is a signed bundle of nIssuers keys (each with its
// certificate, as a certs/ directory gives) and nRevoked ids.
func largeBundle(tb testing.TB, auth *keys.Authority, version int64, nIssuers, nRevoked int) []byte {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	issuers := make([]trust.BundleIssuer, nIssuers)
	for i := range issuers {
		// Each a staff-passport issuer (its org code as the URI name), as
		// a bundle must say what every key may sign.
		code, _ := url.Parse(fmt.Sprintf("%sR%05d", trust.OrgCodeURIPrefix, i))
		tmpl := &x509.Certificate{SerialNumber: bigInt(i + 1), Subject: pkix.Name{Organization: []string{fmt.Sprintf("Org %05d", i)}},
			URIs: []*url.URL{code}, NotBefore: testNow, NotAfter: testNow.AddDate(5, 0, 0)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			tb.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		if issuers[i], err = trust.IssuerFromCertificate(cert); err != nil {
			tb.Fatal(err)
		}
	}
	return sign(tb, auth, &trust.Bundle{Version: version, Issuers: issuers, Revoked: revokedIDs(nRevoked)})
}

// BenchmarkImportLarge: import of a bundle with 10,000 issuer keys and
// 100,000 revoked ids into a store already holding the same size of list.
func BenchmarkImportLarge(b *testing.B) {
	auth := newAuthority(b)
	data := largeBundle(b, auth, 2, 10000, 100000)
	prev := largeBundle(b, auth, 1, 100, 1000)
	b.Logf("bundle: %d bytes", len(data))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, _ := openTemp(b)
		pin(b, db, auth)
		if _, err := db.ImportBundle(prev, ImportOptions{Now: testNow}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := db.ImportBundle(data, ImportOptions{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInfo: Info is asked on every verification; it is cached.
func BenchmarkInfo(b *testing.B) {
	db, _ := openTemp(b)
	fill(b, db, 100, 100000)
	for i := 0; i < b.N; i++ {
		if _, err := db.Info(); err != nil {
			b.Fatal(err)
		}
	}
}

func bigInt(i int) *big.Int { return big.NewInt(int64(i)) }
