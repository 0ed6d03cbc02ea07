package verify_test

import (
	"database/sql"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"passport/credential/sign"
	"passport/policy"
	"passport/sitedb"
	"passport/trust"
	"passport/verify"
)

// The tests in this file pin the verifier's defences against forged and
// cross-format credentials; docs/security.md lists what each defends.

// TestCrossFormatForgeries: a key trusted for one kind of
// document never verifies the other. The keys are trusted the way a site
// does it, with `trust add`'s AddCertificate in a real SQLite store, so the
// kinds are the ones inferred from the certificates.
func TestCrossFormatForgeries(t *testing.T) {
	db := dccStore(t) // DE and AT DCC signers, trusted by AddCertificate
	staff := newIssuer(t, "RXS", dccCertFrom)
	if _, err := db.AddCertificate(staff.Cert); err != nil {
		t.Fatal(err)
	}
	ec, _ := signers(t)
	staffAsDCC := &dccSigner{key: staff.Key, cert: staff.Cert, kid: staff.KID}

	// A staff passport signed with the DE DCC signer's key.
	c := passportClaims("Robert Koch-Institut", dccIat, 7)
	sp1, err := sign.Issue(c, ec.key, ec.kid)
	if err != nil {
		t.Fatal(err)
	}
	// An EU DCC signed with a staff-passport issuer's key.
	hc1 := makeDCC(t, dccOpts{signer: staffAsDCC, country: "GB", tagged: true, hcert: dccHcert("v", ciGood)})

	for _, tc := range []struct {
		name, text string
		doc        verify.Document
	}{
		{"SP1 signed by a DCC signer", sp1, verify.DocumentStaffPassport},
		{"HC1 signed by a staff issuer", hc1, verify.DocumentEUDCC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := verify.Text("forged", tc.text, db, verify.Options{Now: dccNow})
			wantVerdict(t, r, verify.StatusInvalid, verify.ReasonKeyNotForKind)
			if r.Document != tc.doc {
				t.Errorf("document %q, want %q", r.Document, tc.doc)
			}
			if r.Claims != nil || r.DCC != nil || r.Subject != "" {
				t.Errorf("a refused cross-format credential shows its content: %+v", r)
			}
		})
	}

	// The genuine ones still verify, and say what they are.
	good := verify.Text("dcc", makeDCC(t, dccOpts{signer: ec, tagged: true, hcert: dccHcert("v", ciGood)}), db, verify.Options{Now: dccNow})
	wantVerdict(t, good, verify.StatusValid, "")
	js, _ := json.Marshal(good)
	if good.Document != verify.DocumentEUDCC || !strings.Contains(string(js), `"document":"eu_dcc"`) {
		t.Errorf("a genuine DCC is not labelled eu_dcc: %s", js)
	}
	// Site policy never passes a DCC, valid or not.
	pol, err := policy.Load("../fixtures/site-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	if v := policy.Apply(pol, good); v.Policy == nil || v.Policy.Status != policy.NotEvaluated {
		t.Errorf("site policy on a valid DCC: %+v, want not_evaluated", v.Policy)
	}
	sp := verify.Text("sp1", issue(t, staff, dccIat, 8), db, verify.Options{Now: dccNow})
	wantVerdict(t, sp, verify.StatusValid, "")
	if js, _ := json.Marshal(sp); !strings.Contains(string(js), `"document":"staff_passport"`) {
		t.Errorf("a genuine passport is not labelled staff_passport: %s", js)
	}
}

// TestBundleKindBinding: a bundle entry carries the kind;
// one without it (as in bundles made before the field) is a staff issuer.
func TestBundleKindBinding(t *testing.T) {
	w := newTrustWorld(t)
	ec, _ := signers(t)
	dccEntry, err := trust.IssuerFromCertificate(ec.cert)
	if err != nil {
		t.Fatal(err)
	}
	if dccEntry.Kind != trust.KindDCC || dccEntry.Country != "DE" {
		t.Fatalf("DCC signer entry bound to %q %q, want dcc DE", dccEntry.Kind, dccEntry.Country)
	}
	oldE, _ := w.entries(t)
	oldE.Kind = "" // an entry as older bundles carry it
	w.importBundle(t, 1, []trust.BundleIssuer{oldE, dccEntry}, nil)
	k, err := w.db.Key(w.old.KID)
	if err != nil || k.Kind != trust.KindStaff {
		t.Fatalf("entry without a kind imported as %+v (%v), want staff", k, err)
	}
	at := tT0.AddDate(0, 1, 0) // inside the old key's window (tT0 to tRotate)
	hc1 := makeDCC(t, dccOpts{signer: &dccSigner{key: w.old.Key, cert: w.old.Cert, kid: w.old.KID}, country: "GB", iat: at, exp: tNow.AddDate(1, 0, 0), tagged: true, hcert: dccHcert("v", ciGood)})
	wantVerdict(t, verify.Text("dcc", hc1, w.db, verify.Options{Now: tNow}), verify.StatusInvalid, verify.ReasonKeyNotForKind)
	c := passportClaims("RXA", at, 9)
	sp1, err := sign.Issue(c, ec.key, ec.kid)
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, verify.Text("sp1", sp1, w.db, verify.Options{Now: tNow}), verify.StatusInvalid, verify.ReasonKeyNotForKind)
}

// TestEmployerMustBeSigner: an empty employer code no
// longer skips the employer check.
func TestEmployerMustBeSigner(t *testing.T) {
	iss := newIssuer(t, "OTH", tT0)
	mem := trust.NewMemoryStore()
	mem.Add(trust.TrustedKey{KID: iss.KID, OrgCode: "OTH", OrgName: "Other Trust", PublicKey: iss.Key.Public()})
	for _, code := range []string{"", "RHX"} {
		c := passportClaims("OTH", tIssued, 2)
		c.Body.Employment.OrgCode, c.Body.Employment.OrgName = code, "Royal Hospital"
		text, err := sign.Issue(c, iss.Key, iss.KID)
		if err != nil {
			t.Fatal(err)
		}
		wantVerdict(t, verify.Text("t", text, mem, verify.Options{Now: tNow}), verify.StatusInvalid, verify.ReasonIssuerMismatch)
	}
}

// TestDamagedTrustStoreFailsClosed: with the bundle
// table's page of a real SQLite file zeroed, a credential from a trusted
// key is INVALID with trust_store_error, not VALID without a trust list.
func TestDamagedTrustStoreFailsClosed(t *testing.T) {
	w := newTrustWorld(t)
	oldE, newE := w.entries(t)
	w.importBundle(t, 1, []trust.BundleIssuer{oldE, newE}, nil)
	text := issue(t, w.direct, tT0.Add(24*time.Hour), 6)
	path := w.db.Path()
	wantVerdict(t, verify.Text("t", text, w.db, verify.Options{Now: tNow}), verify.StatusValid, "")
	w.db.Close()

	zeroTablePage(t, path, "bundle")
	db, err := sitedb.OpenExisting(path)
	if err != nil {
		t.Fatalf("the damage is meant to be found when reading, not opening: %v", err)
	}
	defer db.Close()
	r := verify.Text("t", text, db, verify.Options{Now: tNow})
	wantVerdict(t, r, verify.StatusInvalid, verify.ReasonTrustStore)
}

// zeroTablePage overwrites the root page of table in the SQLite file at
// path with zeros, as a disk error or a careless edit would.
func zeroTablePage(t *testing.T, path, table string) {
	t.Helper()
	sq, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	if err := sq.QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = ?", table).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := sq.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	sq.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, pageSize), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
}
