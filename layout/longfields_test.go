package layout_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"passport/credential"
	"passport/credential/sign"
	"passport/issue"
	"passport/keys"
	"passport/layout"
	"passport/printcheck"
)

var longNow = time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)

// longOrg is a synthetic organisation name as long as the issuer's
// certificate allows (keys.MaxOrgNameLen): clearly marked test data.
const longOrg = "Royal Devon and Exeter University Healthcare NHS Trust (TEST)"

// needPoppler returns the path of tool, skipping the test when poppler is
// not installed on a developer's machine; in CI (CI set) a missing tool
// fails the test, so the text checks cannot silently stop running.
func needPoppler(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed (apt-get install poppler-utils, or scripts/need.sh)", tool)
	}
	t.Skipf("%s not installed (apt-get install poppler-utils)", tool)
	return ""
}

// issued is one signed passport from a fixture row.
type issued struct {
	rec    *issue.Record
	claims *credential.Claims
	text   string
}

// issueFixture signs every row of a fixture CSV as the issuer would.
func issueFixture(t *testing.T, path string, iss *keys.Issuer) []issued {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr, err := issue.NewCSVReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []issued
	for {
		rec, rowErrs, err := cr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || len(rowErrs) > 0 {
			t.Fatalf("%s: %v %v", path, err, rowErrs)
		}
		c, err := issue.Claims(rec, iss, longNow, 0)
		if err != nil {
			t.Fatal(err)
		}
		text, err := sign.Issue(c, iss.Key, iss.KID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, issued{rec, c, text})
	}
	if len(out) == 0 {
		t.Fatalf("%s has no rows", path)
	}
	return out
}

// pageText extracts the text of page n of pdf in content order and joins
// its lines as a reader would: a line that ends in a hyphen runs on into
// the next, other lines are separated by a space.
func pageText(t *testing.T, pdftotext string, pdf []byte, n int) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	pg := strconv.Itoa(n)
	out, err := exec.Command(pdftotext, "-raw", "-enc", "UTF-8", "-f", pg, "-l", pg, in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	var b strings.Builder
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			continue
		}
		if s := b.String(); s != "" && !strings.HasSuffix(s, "-") {
			b.WriteByte(' ')
		}
		b.WriteString(l)
	}
	return norm.NFC.String(b.String())
}

func words(s string) string { return norm.NFC.String(strings.Join(strings.Fields(s), " ")) }

// latinPrinted is how the page prints an ICAO 9303 name.
func latinPrinted(s string) string {
	primary, secondary, ok := strings.Cut(s, "<<")
	w := func(s string) string {
		return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
	}
	if ok && w(primary) != "" && w(secondary) != "" {
		return w(primary) + ", " + w(secondary)
	}
	return w(s)
}

// a4Fields lists every signed field of c as the A4 page must print it,
// whole. Dates are checked inside their table row, so a date cannot be
// found in another row by chance.
func a4Fields(c *credential.Claims) []string {
	per, emp := c.Body.Person, c.Body.Employment
	want := []string{per.Name, emp.Role, emp.StaffGroup, emp.OrgName, "Organisation code " + emp.OrgCode,
		per.StaffNumber, per.DateOfBirth.Human(), emp.Start.Human(),
		"Issued " + credential.DateOf(c.IssuedAt).Human() + " by " + emp.OrgName + " (" + c.Issuer + ")",
		"Valid from " + credential.DateOf(c.NotBefore).Human() + " to " + credential.DateOf(c.Expires).Human(),
		"Credential id " + c.IDString()}
	if per.Registration != "" {
		want = append(want, per.Registration)
	}
	if l := latinPrinted(per.LatinName); l != strings.ToUpper(per.Name) {
		want = append(want, "Latin-script name: "+l)
	}
	issuedOn := credential.DateOf(c.IssuedAt)
	exp := func(d credential.Date) string {
		if !d.IsZero() && d.Before(issuedOn) {
			return d.Human() + " (expired)"
		}
		return d.Human()
	}
	for _, ch := range c.Body.Checks {
		row := ch.Type.String() + " " + map[credential.Outcome]string{
			credential.OutcomeClear: "Clear", credential.OutcomeConditions: "Cleared with conditions"}[ch.Outcome]
		if ch.Level != "" {
			row += " " + levelWords[ch.Type][ch.Level]
		}
		want = append(want, row+" "+ch.Done.Human()+" "+exp(ch.Expires))
	}
	have := map[credential.Subject]bool{}
	for _, tr := range c.Body.Training {
		have[tr.Subject] = true
		name := tr.Subject.String()
		if tr.Level != "" { // "level_3" is printed "level 3", "tier_2" "tier 2"
			name += ", " + strings.ReplaceAll(tr.Level, "_", " ")
		}
		want = append(want, name+" "+tr.Completed.Human()+" "+exp(tr.Expires))
	}
	for _, s := range credential.Subjects {
		if !have[s] {
			want = append(want, s.String()+" not recorded")
		}
	}
	return want
}

// levelWords is what the page must print for each dbs_level and
// occupational_health_clearance code.
var levelWords = map[credential.CheckType]map[string]string{
	credential.CheckDBS: {
		"basic": "Basic", "standard": "Standard", "enhanced": "Enhanced, without a barred list check",
		"enhanced_barred":          "Enhanced with adults' and children's barred lists",
		"enhanced_barred_adults":   "Enhanced with adults' barred list",
		"enhanced_barred_children": "Enhanced with children's barred list",
	},
	credential.CheckOccupationalHealth: {
		"standard": "Standard clearance", "epp": "Cleared for exposure-prone procedures (EPP)",
		"restricted": "Cleared with restrictions on duties",
	},
}

var (
	snakeCode = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b`)
	markup    = regexp.MustCompile("[`*_<>]")
)

// checkPage fails unless every wanted field is on the page whole, with
// no ellipsis, no raw code and no markup.
func checkPage(t *testing.T, what, got string, want []string) {
	t.Helper()
	for _, w := range want {
		if w = words(w); w != "" && !strings.Contains(got, w) {
			t.Errorf("%s: page text lacks %q\npage: %s", what, w, got)
		}
	}
	if strings.Contains(got, "…") || strings.Contains(got, "...") {
		t.Errorf("%s: page has an ellipsis: %s", what, got)
	}
	if m := snakeCode.FindString(got); m != "" {
		t.Errorf("%s: page prints the raw code %q", what, m)
	}
	if m := markup.FindString(got); m != "" {
		t.Errorf("%s: page prints the markup character %q", what, m)
	}
}

// TestLongFieldsPrintWhole issues the long-name fixtures (and the
// everyday ones) as the issuer does, renders them on A4 and on cards,
// and finds every signed field whole in the text pdftotext extracts.
// The extraction itself proves the fonts' ToUnicode maps work.
func TestLongFieldsPrintWhole(t *testing.T) {
	pdftotext := needPoppler(t, "pdftotext")
	iss, err := keys.NewIssuer("RDXT", longOrg, longNow.Add(-time.Hour), 5*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	all := issueFixture(t, "../fixtures/staff_long.csv", iss)
	all = append(all, issueFixture(t, "../fixtures/staff.csv", iss)...)
	for _, lay := range []string{layout.LayoutA4, layout.LayoutCard} {
		t.Run(lay, func(t *testing.T) {
			r, err := layout.NewRenderer(layout.Options{Layout: lay, Created: longNow, Contact: testContact})
			if err != nil {
				t.Fatal(err)
			}
			var ps []*layout.Passport
			for i := range all {
				pp := throughGate(t, r, iss, &all[i])
				ps = append(ps, pp)
			}
			var buf bytes.Buffer
			if err := layout.WritePDF(&buf, longNow, ps...); err != nil {
				t.Fatal(err)
			}
			for i, p := range all {
				c := p.claims
				if lay == layout.LayoutA4 {
					checkPage(t, c.Body.Person.StaffNumber, pageText(t, pdftotext, buf.Bytes(), i+1),
						append(a4Fields(c), layout.ConfirmPrefix+testContact))
					continue
				}
				per, emp := c.Body.Person, c.Body.Employment
				front := pageText(t, pdftotext, buf.Bytes(), 2*i+1)
				checkPage(t, per.StaffNumber+" front", front, []string{emp.OrgName, per.Name, emp.Role,
					"Staff no. " + per.StaffNumber, "Born " + per.DateOfBirth.Human(), "Valid to " + credential.DateOf(c.Expires).Human()})
				back := pageText(t, pdftotext, buf.Bytes(), 2*i+2)
				checkPage(t, per.StaffNumber+" back", back, []string{per.Name,
					"Issued " + credential.DateOf(c.IssuedAt).Human(), "Expires " + credential.DateOf(c.Expires).Human(),
					layout.ConfirmPrefix + testContact})
			}
		})
	}
}

// testContact is an issuer contact as 'keys new --contact' takes it.
const testContact = "passports@rdxt.nhs.uk"

// throughGate renders p and runs the print-quality gate the issuer runs.
// The gate's simulated scan depends on the exact text, and every issue
// draws a new credential id and signature: for codes of version 19 to 21
// (the long records) a few texts in a thousand fail it, and the issuer
// then holds that passport back. As an operator re-running the batch
// would, a text that fails is issued afresh, at most twice; a record
// that fails three times fails the test.
func throughGate(t *testing.T, r *layout.Renderer, iss *keys.Issuer, p *issued) *layout.Passport {
	t.Helper()
	for try := 1; ; try++ {
		pp, err := r.Render(p.claims, p.text, nil)
		if err != nil {
			t.Fatalf("%s: %v", p.rec.Person.StaffNumber, err)
		}
		err = printcheck.CheckPassport(pp, p.text, printcheck.PoorScan)
		if err == nil {
			return pp
		}
		if try == 3 {
			t.Fatalf("%s: print check failed for three issues of the record: %v", p.rec.Person.StaffNumber, err)
		}
		t.Logf("%s: print check failed for a %d-character text, issuing it again: %v", p.rec.Person.StaffNumber, len(p.text), err)
		if p.claims, err = issue.Claims(p.rec, iss, longNow, 0); err != nil {
			t.Fatal(err)
		}
		if p.text, err = sign.Issue(p.claims, iss.Key, iss.KID); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLongFieldsWithPhoto repeats the A4 and card text checks with a photo,
// which narrows the column the name and role wrap in.
func TestLongFieldsWithPhoto(t *testing.T) {
	pdftotext := needPoppler(t, "pdftotext")
	iss, err := keys.NewIssuer("RDXT", longOrg, longNow.Add(-time.Hour), 5*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	all := issueFixture(t, "../fixtures/staff_long.csv", iss)
	photo := testJPEG(t)
	for _, lay := range []string{layout.LayoutA4, layout.LayoutCard} {
		r, err := layout.NewRenderer(layout.Options{Layout: lay, Created: longNow})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range all {
			pp, err := r.Render(p.claims, p.text, photo)
			if err != nil {
				t.Fatalf("%s %s: %v", lay, p.rec.Person.StaffNumber, err)
			}
			var buf bytes.Buffer
			if err := layout.WritePDF(&buf, longNow, pp); err != nil {
				t.Fatal(err)
			}
			per := p.claims.Body.Person
			if lay == layout.LayoutA4 {
				checkPage(t, per.StaffNumber+" with photo", pageText(t, pdftotext, buf.Bytes(), 1), a4Fields(p.claims))
			} else {
				checkPage(t, per.StaffNumber+" card with photo", pageText(t, pdftotext, buf.Bytes(), 1),
					[]string{per.Name, p.claims.Body.Employment.Role, p.claims.Body.Employment.OrgName})
			}
		}
	}
}

// TestOrganisationLongerThanACertificate renders a passport whose body
// names an organisation longer than any certificate allows: it wraps.
func TestOrganisationLongerThanACertificate(t *testing.T) {
	pdftotext := needPoppler(t, "pdftotext")
	iss, err := keys.NewIssuer("RDXT", longOrg, longNow.Add(-time.Hour), 5*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p := issueFixture(t, "../fixtures/staff_long.csv", iss)[0]
	p.claims.Body.Employment.OrgName = "Royal Devon and Exeter University Healthcare NHS Foundation Trust and Northern Devon Healthcare Community Services (SYNTHETIC TEST DATA)"
	for _, lay := range []string{layout.LayoutA4, layout.LayoutCard} {
		r, _ := layout.NewRenderer(layout.Options{Layout: lay, Created: longNow})
		pp, err := r.Render(p.claims, p.text, nil)
		if err != nil {
			t.Fatalf("%s: %v", lay, err)
		}
		var buf bytes.Buffer
		if err := layout.WritePDF(&buf, longNow, pp); err != nil {
			t.Fatal(err)
		}
		got := pageText(t, pdftotext, buf.Bytes(), 1)
		checkPage(t, lay, got, []string{p.claims.Body.Employment.OrgName})
	}
}

// testJPEG is a synthetic portrait-shaped photo.
func testJPEG(t *testing.T) *layout.Photo {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 300; x++ {
			img.Set(x, y, color.RGBA{uint8(80 + x/3), uint8(100 + y/4), 160, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	p, err := layout.PreparePhoto(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
