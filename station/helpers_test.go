package station

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"image"
	"image/png"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"passport/credential"
	"passport/credential/sign"
	"passport/fixtures/sampleclaims"
	"passport/keys"
	"passport/layout"
	"passport/policy"
	"passport/sitedb"
)

// fixture is a site with one trusted issuer and a few credentials.
type fixture struct {
	now    time.Time
	issuer *keys.Issuer
	db     *sitedb.DB
	path   string
}

var (
	issuerOnce sync.Once
	sharedIss  *keys.Issuer
)

// testIssuer is one issuer for the whole package (key generation is cheap,
// but sharing keeps runs fast and the certificate window stable).
func testIssuer(t testing.TB) *keys.Issuer {
	issuerOnce.Do(func() {
		var err error
		sharedIss, err = keys.NewIssuer("RHQ", "Riverside Hospitals NHS Trust", time.Now().Add(-48*time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
	})
	return sharedIss
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{now: time.Now(), issuer: testIssuer(t)}
	f.path = filepath.Join(t.TempDir(), "site.db")
	db, err := sitedb.Open(f.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.AddCertificate(f.issuer.Cert); err != nil {
		t.Fatal(err)
	}
	f.db = db
	return f
}

// claims makes a realistic passport for name, dated relative to now. The
// DBS check was done dbsAgo days ago; fire safety training fireAgo days ago
// and lapses a year after.
func (f *fixture) claims(name string, dbsAgo, fireAgo int) *credential.Claims {
	return sampleclaims.Nurse(f.now, f.issuer.OrgCode, f.issuer.OrgName, name, dbsAgo, fireAgo)
}

func (f *fixture) text(t testing.TB, c *credential.Claims) string {
	t.Helper()
	s, err := sign.Issue(c, f.issuer.Key, f.issuer.KID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tampered signs c, then changes the holder's name inside the signed
// payload (same length, so the CBOR stays well formed): the signature must
// no longer match.
func (f *fixture) tampered(t testing.TB, c *credential.Claims, from, to string) string {
	t.Helper()
	msg, err := sign.Sign(c, f.issuer.Key, f.issuer.KID)
	if err != nil {
		t.Fatal(err)
	}
	if len(from) != len(to) || !bytes.Contains(msg, []byte(from)) {
		t.Fatalf("cannot tamper: %q not in the message or lengths differ", from)
	}
	return credential.Encode(bytes.Replace(msg, []byte(from), []byte(to), 1))
}

// forged signs c with a key the site does not trust, under the trusted kid.
func (f *fixture) forged(t testing.TB, c *credential.Claims) string {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, err := sign.Issue(c, k, f.issuer.KID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// qrPNG renders text as a QR code PNG, like a clean scan of the page.
func qrPNG(t testing.TB, text string) []byte {
	t.Helper()
	img, err := layout.QR(text, "M", 4)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// blankPNG is a scan with no code on it.
func blankPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range img.Pix {
		img.Pix[i] = 250
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func examplePolicy(t testing.TB) *policy.Policy {
	t.Helper()
	p, err := policy.Load("../fixtures/site-policy.json")
	if err != nil {
		t.Fatalf("the example policy does not load: %v", err)
	}
	return p
}
