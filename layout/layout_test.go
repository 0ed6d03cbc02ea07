package layout

import (
	"bytes"
	"compress/zlib"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"

	"passport/credential"
)

var writeSample = flag.Bool("sample", false, "write ../docs/sample-a4.png (needs pdftoppm)")

// sampleNames are real-world shapes of names the fonts must cover.
var sampleNames = []string{
	"Zoë Ashworth", "Łukasz Wiśniewski", "Siân O'Brien-Smith", "Nguyễn Thị Lan", "Ólafur Þórðarson",
	"Đặng Văn Minh", "Emine Ağaoğlu", "Jürgen Müller", "Αλέξανδρος Παπαδόπουλος", "Жанна Ковальчук",
	"François Lefèvre", "Dvořák Šťastný", "Søren Kierkegård", "Nuñez-García", "Ștefan Țurcanu",
	"Bartholomew Featherstonehaugh-Cholmondeley", "Trần Thị Hồng Nhung", "Phạm Quỳnh Anh",
}

var (
	issued = time.Date(2026, 2, 3, 9, 30, 0, 0, time.UTC)
	expiry = time.Date(2027, 2, 3, 0, 0, 0, 0, time.UTC)
)

// sampleClaims builds a full synthetic passport by hand.
func sampleClaims(name string) *credential.Claims {
	d := credential.NewDate
	var training []credential.Training
	for i, s := range credential.Subjects {
		done := d(2025, time.Month(1+i%12), 3+i)
		tr := credential.Training{Subject: s, Completed: done, Expires: done.AddDays(3 * 365)}
		switch s {
		case credential.SubjectEquality:
			tr.Expires = credential.Date{} // does not lapse
		case credential.SubjectResuscitation:
			tr.Completed, tr.Expires = d(2024, 11, 20), d(2025, 11, 20) // lapsed before issue
		}
		training = append(training, tr)
	}
	return &credential.Claims{
		Issuer:    "RHQ",
		NotBefore: issued,
		Expires:   expiry,
		IssuedAt:  issued,
		ID:        []byte{0x3f, 0x2a, 0x91, 0x0c, 0x5e, 0x77, 0x10, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0x9a},
		Body: credential.Body{
			Version: credential.SchemaVersion,
			Person: credential.Person{
				Name:         name,
				LatinName:    "OBRIEN<SMITH<<SIAN",
				DateOfBirth:  d(1988, 7, 14),
				StaffNumber:  "RHQ-0042117",
				Registration: "NMC 12A3456E",
			},
			Employment: credential.Employment{
				OrgCode:    "RHQ",
				OrgName:    "Synthetic Teaching Hospitals NHS Trust (TEST)",
				Role:       "Staff Nurse, Band 5",
				StaffGroup: "Nursing and Midwifery Registered",
				Start:      d(2019, 9, 2),
			},
			Checks: []credential.Check{
				{Type: credential.CheckIdentity, Outcome: credential.OutcomeClear, Done: d(2025, 12, 1)},
				{Type: credential.CheckRightToWork, Outcome: credential.OutcomeClear, Done: d(2025, 12, 1)},
				{Type: credential.CheckDBS, Outcome: credential.OutcomeClear, Done: d(2025, 11, 14), Expires: d(2028, 11, 14), Level: "enhanced-barred"},
				{Type: credential.CheckOccupationalHealth, Outcome: credential.OutcomeConditions, Done: d(2025, 12, 5)},
				{Type: credential.CheckReferences, Outcome: credential.OutcomeClear, Done: d(2025, 10, 30)},
				{Type: credential.CheckProfessionalRegister, Outcome: credential.OutcomeClear, Done: d(2026, 1, 20), Expires: d(2026, 1, 31)},
			},
			Training: training,
		},
	}
}

func render(t testing.TB, opts Options, pages ...*credential.Claims) ([]byte, []string) {
	t.Helper()
	if opts.Created.IsZero() {
		opts.Created = issued
	}
	doc, err := NewDocument(opts)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for i, c := range pages {
		text := fakeCredential(int64(i), 650)
		texts = append(texts, text)
		if err := doc.AddPassport(c, text); err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
	}
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), texts
}

var (
	pageObj  = regexp.MustCompile(`/Type /Page\b[^s]`)
	imageObj = regexp.MustCompile(`<</Type /XObject\s*/Subtype /Image\s*/Width (\d+)\s*/Height (\d+)\s*/ColorSpace /(\w+)\s*/BitsPerComponent (\d+)\s*/Filter /FlateDecode\s*/DecodeParms <<([^>]*)>>\s*/Length (\d+)>>\s*stream\n`)
)

// pdfImages returns the images of a gofpdf PDF, decoded (FlateDecode with
// the PNG predictor) the way the verifier extracts them.
func pdfImages(t *testing.T, pdf []byte) []*image.Gray {
	t.Helper()
	var out []*image.Gray
	for _, m := range imageObj.FindAllSubmatchIndex(pdf, -1) {
		w, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		h, _ := strconv.Atoi(string(pdf[m[4]:m[5]]))
		if cs, bpc := string(pdf[m[6]:m[7]]), string(pdf[m[8]:m[9]]); cs != "DeviceGray" || bpc != "8" {
			t.Fatalf("image is %s %s-bit, want DeviceGray 8-bit", cs, bpc)
		}
		if !strings.Contains(string(pdf[m[10]:m[11]]), "/Predictor 15") {
			t.Fatalf("image DecodeParms %q lack the PNG predictor", pdf[m[10]:m[11]])
		}
		n, _ := strconv.Atoi(string(pdf[m[12]:m[13]]))
		zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != h*(w+1) {
			t.Fatalf("image data is %d bytes, want %d", len(raw), h*(w+1))
		}
		img := image.NewGray(image.Rect(0, 0, w, h))
		prev := make([]byte, w)
		for y := 0; y < h; y++ {
			f, row := raw[y*(w+1)], raw[y*(w+1)+1:(y+1)*(w+1)]
			for x := range row {
				var a, c byte
				if x > 0 {
					a, c = img.Pix[y*w+x-1], prev[x-1]
				}
				b := prev[x]
				switch f {
				case 0:
				case 1:
					row[x] += a
				case 2:
					row[x] += b
				case 3:
					row[x] += byte((int(a) + int(b)) / 2)
				case 4:
					row[x] += paeth(a, b, c)
				default:
					t.Fatalf("bad PNG filter %d", f)
				}
				img.Pix[y*w+x] = row[x]
			}
			copy(prev, img.Pix[y*w:(y+1)*w])
		}
		out = append(out, img)
	}
	return out
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestDocumentPages(t *testing.T) {
	var claims []*credential.Claims
	for _, n := range sampleNames[:4] {
		claims = append(claims, sampleClaims(n))
	}
	pdf, texts := render(t, Options{}, claims...)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("output starts with %q, want %%PDF-", pdf[:min(len(pdf), 8)])
	}
	if n := len(pageObj.FindAll(pdf, -1)); n != len(claims) {
		t.Fatalf("PDF has %d pages, want %d", n, len(claims))
	}
	if !bytes.Contains(pdf, []byte("/MediaBox [0 0 595.28 841.89]")) {
		t.Error("pages are not A4 portrait")
	}
	imgs := pdfImages(t, pdf)
	if len(imgs) != len(claims) {
		t.Fatalf("PDF has %d images, want one QR per page (%d)", len(imgs), len(claims))
	}
	// gofpdf orders image objects by width, not by page, so match by content.
	want := map[string]bool{}
	for _, text := range texts {
		want[text] = true
	}
	v, _ := QRVersion(texts[0], "M") // all texts have the same length
	for i, img := range imgs {
		if want := (17 + 4*v + 2*QuietZoneModules) * PixelsPerModule; img.Bounds().Dx() != want {
			t.Errorf("image %d is %d px wide, want %d", i, img.Bounds().Dx(), want)
		}
		checkPixels(t, img, PixelsPerModule)
		got, _, err := decodeQR(t, img)
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		if !want[got] {
			t.Fatalf("image %d decodes to a text that is not one page's, or to one already seen", i)
		}
		delete(want, got)
	}
}

// TestQRPlacement checks the printed size and margins of the code from the
// image placement operator in the page content.
func TestQRPlacement(t *testing.T) {
	for _, width := range []float64{0, MinCodeWidthMM, 70, MaxCodeWidthMM} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			doc, err := NewDocument(Options{CodeWidthMM: width, Created: issued})
			if err != nil {
				t.Fatal(err)
			}
			text := fakeCredential(1, 1000)
			if err := doc.AddPassport(sampleClaims("Zoë Ashworth"), text); err != nil {
				t.Fatal(err)
			}
			// Recompute what render placed, from the same inputs.
			m, _ := encodeMatrix(text, "M")
			code := doc.r.opts.CodeWidthMM
			imgW := code * float64(m.n+8) / float64(m.n)
			if code < 55 || imgW > 100 {
				t.Fatalf("code %.1f mm, image %.1f mm", code, imgW)
			}
			ops := contentStreams(t, doc)
			re := regexp.MustCompile(`q ([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm /I`)
			mm := re.FindStringSubmatch(ops)
			if mm == nil {
				t.Fatal("no image placement in the page content")
			}
			f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v * 25.4 / 72 }
			w, h, x, y := f(mm[1]), f(mm[2]), f(mm[3]), f(mm[4])
			if abs(int((w-imgW)*10)) > 1 || abs(int((h-imgW)*10)) > 1 {
				t.Errorf("image printed %.1f×%.1f mm, want %.1f", w, h, imgW)
			}
			if modW := w * float64(m.n) / float64(m.n+8); modW < 55-0.05 {
				t.Errorf("symbol printed %.1f mm wide, want at least 55", modW)
			}
			if x < 15 || y < 15 || pageW-(x+w) < 15 || pageH-(y+h) < 15 {
				t.Errorf("image at x=%.1f y=%.1f (from bottom) size %.1f is within 15 mm of an edge", x, y, w)
			}
		})
	}
}

// contentStreams finishes doc and returns its decompressed page content.
func contentStreams(t *testing.T, doc *Document) string {
	t.Helper()
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	var out strings.Builder
	re := regexp.MustCompile(`<</Filter /FlateDecode /Length (\d+)>>\nstream\n`)
	for _, m := range re.FindAllSubmatchIndex(pdf, -1) {
		n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(zr)
		out.Write(b)
	}
	return out.String()
}

func TestFontCoverage(t *testing.T) {
	for name, src := range map[string][]byte{"regular": fontRegular, "bold": fontBold} {
		f, err := sfnt.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		var b sfnt.Buffer
		extra := "—…·’‘“”()-/0123456789 " + VerifyInstruction
		for _, s := range append(sampleNames, extra) {
			for _, r := range s {
				i, err := f.GlyphIndex(&b, r)
				if err != nil || i == 0 {
					t.Errorf("%s font has no glyph for %q (U+%04X) in %q", name, r, r, s)
				}
			}
		}
	}
}

func TestClean(t *testing.T) {
	cov, err := fontCoverage()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"Nguye\u0302\u0303n Thi\u0323 Lan", "Nguyễn Thị Lan"}, // decomposed → NFC
		{"  Zoë\tAsh\nworth\r ", "Zoë Ash worth"},
		{"Bell\x07\x00y", "Belly"},
		{"Zero\u200bwidth", "Zerowidth"},
		{"emoji 😀 name", "emoji ? name"},                                             // beyond the BMP: gofpdf's width table would panic
		{"漢字", "??"},                                                                 // no glyph in DejaVu Sans
		{strings.Repeat("x", MaxFieldRunes+5), strings.Repeat("x", MaxFieldRunes+5)}, // never shortened: Render refuses it
	}
	for _, tt := range tests {
		if got := clean(tt.in, cov); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOptionsAndErrors(t *testing.T) {
	for _, o := range []Options{{ECC: "Z"}, {CodeWidthMM: 54.9}, {CodeWidthMM: MaxCodeWidthMM + 1}, {CodeWidthMM: -1}} {
		if _, err := NewDocument(o); err == nil {
			t.Errorf("NewDocument(%+v) accepted bad options", o)
		}
	}
	for _, ecc := range []string{"", "l", "M", "q", "H"} {
		if _, err := NewDocument(Options{ECC: ecc}); err != nil {
			t.Errorf("NewDocument(ECC %q): %v", ecc, err)
		}
	}
	doc, _ := NewDocument(Options{})
	if err := doc.Write(io.Discard); err == nil || !strings.Contains(err.Error(), "no pages") {
		t.Errorf("Write of empty doc: %v", err)
	}
	if err := doc.AddPassport(nil, "SP1:X"); err == nil {
		t.Error("nil claims accepted")
	}
	if err := doc.AddPassport(sampleClaims("A"), ""); err == nil {
		t.Error("empty text accepted")
	}
	if err := doc.AddPassport(sampleClaims("A"), strings.Repeat("A", MaxQRText+1)); err == nil {
		t.Error("oversized text accepted")
	}
	if err := doc.AddPassport(sampleClaims("A"), "SP1:OK"); err != nil {
		t.Fatal(err)
	}
	if err := doc.Write(io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := doc.Write(io.Discard); err == nil {
		t.Error("second Write accepted")
	}
	if err := doc.AddPassport(sampleClaims("A"), "SP1:OK"); err == nil {
		t.Error("AddPassport after Write accepted")
	}
}

// TestAwkwardRecords renders records that stress the layout: empty fields,
// very long names, unknown enum values, odd characters.
func TestAwkwardRecords(t *testing.T) {
	empty := &credential.Claims{}
	long := sampleClaims(strings.Repeat("Bartholomew Featherstonehaugh-Cholmondeley ", 6))
	long.Body.Employment.OrgName = strings.Repeat("Very Long Organisation Name ", 12)
	long.Body.Employment.Role = strings.Repeat("Advanced Clinical Practitioner ", 5)
	unknown := sampleClaims("Unknown Codes")
	unknown.Body.Checks = append(unknown.Body.Checks, credential.Check{Type: credential.CheckType(90), Outcome: credential.Outcome(7), Level: "some_new_level"})
	unknown.Body.Training = append(unknown.Body.Training, credential.Training{Subject: credential.Subject(90)})
	odd := sampleClaims("emoji 😀\x00\u202e reversed 漢字")
	odd.Body.Person.LatinName = "EMOJI<<REVERSED"
	pdf, _ := render(t, Options{ECC: "H"}, empty, long, unknown, odd)
	if n := len(pageObj.FindAll(pdf, -1)); n != 4 {
		t.Fatalf("PDF has %d pages, want 4 (one per record, however long)", n)
	}
}

// TestRecordsThatCannotFit: a record too long to print whole is refused
// with an error naming what is too long, never printed shortened.
func TestRecordsThatCannotFit(t *testing.T) {
	many := sampleClaims("Many Rows")
	for i := 0; i < 60; i++ {
		many.Body.Checks = append(many.Body.Checks, many.Body.Checks[i%6])
	}
	huge := sampleClaims(strings.Repeat("x", MaxFieldRunes+1))
	wordy := sampleClaims("Wordy")
	wordy.Body.Person.Name = strings.Repeat("Bartholomew ", MaxFieldRunes/12)
	wordy.Body.Employment.Role = wordy.Body.Person.Name
	wordy.Body.Employment.StaffGroup = wordy.Body.Person.Name
	wordy.Body.Person.Registration = wordy.Body.Person.Name
	for _, lay := range []string{LayoutA4, LayoutCard} {
		r, err := NewRenderer(Options{Layout: lay, Created: issued})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name string
			c    *credential.Claims
			want string
		}{
			{"many rows", many, fmt.Sprintf("66 check and %d training rows", len(requiredSubjects()))},
			{"field over the cap", huge, "the name is 513 characters long"},
			{"every field long", wordy, "cannot hold the whole record"},
		} {
			if lay == LayoutCard && tt.name == "many rows" {
				continue // the card does not print the tables
			}
			_, err := r.Render(tt.c, "SP1:X", nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s, %s: got %v, want an error containing %q", lay, tt.name, err, tt.want)
			}
		}
	}
}

// pdftoppm renders page 1 of pdf at dpi and returns the image, or skips.
func pdftoppm(t *testing.T, pdf []byte, dpi int, gray bool) image.Image {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm not installed (apt-get install poppler-utils)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "p.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-r", strconv.Itoa(dpi), "-png", "-f", "1", "-l", "1", "-singlefile"}
	if gray {
		args = append(args, "-gray")
	}
	if out, err := exec.Command("pdftoppm", append(args, in, filepath.Join(dir, "p"))...).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "p.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestRenderedPageDecodes renders a page at 150 dpi, as a flatbed scan
// would see it, and reads the code back from the whole page.
func TestRenderedPageDecodes(t *testing.T) {
	for _, n := range []int{650, 1000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			doc, _ := NewDocument(Options{Created: issued})
			text := fakeCredential(int64(n), n)
			if err := doc.AddPassport(sampleClaims("Nguyễn Thị Lan"), text); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := doc.Write(&buf); err != nil {
				t.Fatal(err)
			}
			img := pdftoppm(t, buf.Bytes(), 150, true)
			if b := img.Bounds(); b.Dx() != 1241 || b.Dy() != 1754 {
				t.Errorf("150-dpi A4 page is %v", b)
			}
			got, _, err := decodeQR(t, img)
			if err != nil {
				t.Fatalf("gozxing cannot read the code on the rendered page: %v", err)
			}
			if got != text {
				t.Fatal("rendered page decodes to a different text")
			}
		})
	}
}

// TestPageText extracts the text of a page (pdftotext) and checks what a
// reader needs is printed, with unambiguous dates.
func TestPageText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	c := sampleClaims("Nguyễn Thị Lan")
	pdf, _ := render(t, Options{}, c)
	dir := t.TempDir()
	in := filepath.Join(dir, "p.pdf")
	os.WriteFile(in, pdf, 0o644)
	out, err := exec.Command("pdftotext", "-layout", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"Synthetic Teaching Hospitals NHS Trust (TEST)", "RHQ", "Nguyễn Thị Lan", "OBRIEN SMITH, SIAN",
		"Staff Nurse, Band 5", "Nursing and Midwifery Registered", "RHQ-0042117", "NMC 12A3456E", "14 Jul 1988",
		"Valid from 03 Feb 2026 to 03 Feb 2027", "Credential id " + c.IDString(),
		"Issued 03 Feb 2026 by Synthetic Teaching Hospitals NHS Trust (TEST) (RHQ)",
		"Employment checks", "Right to work", "Enhanced with adults'", // whole, once unwrapped: TestLongFieldsPrintWhole
		"14 Nov 2028", "Cleared with conditions",
		"Core Skills training", "Information governance and data security", "Resuscitation",
		"20 Nov 2025 (expired)", "31 Jan 2026 (expired)", "To verify: scan this code with the site's verifier station",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	if strings.ContainsAny(text, "…`") {
		t.Errorf("a field of an ordinary record was cut short:\n%s", text)
	}
	if strings.Count(text, "(expired)") != 2 {
		t.Errorf("want exactly 2 expired marks, got %d:\n%s", strings.Count(text, "(expired)"), text)
	}
	if regexp.MustCompile(`\b\d{1,2}/\d{1,2}/\d{2,4}\b|\d{4}-\d{2}-\d{2}`).MatchString(text) {
		t.Errorf("page has an ambiguous or ISO date:\n%s", text)
	}
}

// TestNameInAnotherScript: a name the fonts cannot draw (Chinese here) is
// printed in its Latin-script form, said to be so, never as question
// marks; without a Latin-script form it is refused, naming the column to
// fill in. The page and the card alike.
func TestNameInAnotherScript(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	bare := sampleClaims("王芳")
	bare.Body.Person.LatinName = ""
	withLatin := sampleClaims("王芳")
	withLatin.Body.Person.LatinName = "WANG<<FANG"
	for _, lay := range []string{LayoutA4, LayoutCard} {
		r, err := NewRenderer(Options{Layout: lay, Created: issued})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Render(bare, "SP1:X", nil); err == nil || !strings.Contains(err.Error(), "latin_name") || !strings.Contains(err.Error(), "王") {
			t.Errorf("%s: a name that cannot be printed, with no Latin-script form: %v, want a refusal naming latin_name", lay, err)
		}
		pdf, _ := render(t, Options{Layout: lay}, withLatin)
		in := filepath.Join(t.TempDir(), "p.pdf")
		os.WriteFile(in, pdf, 0o644)
		out, err := exec.Command("pdftotext", in, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		// The card has no room for the note; its name is the Latin form alone.
		if !strings.Contains(text, "WANG, FANG") || (lay == LayoutA4 && !strings.Contains(text, "Name in Latin script")) {
			t.Errorf("%s: the Latin-script name is not printed in place of the name:\n%s", lay, text)
		}
		if strings.Contains(text, "?") {
			t.Errorf("%s: question marks printed for letters:\n%s", lay, text)
		}
	}
}

// TestSample renders the sample page; with -sample it also saves it as
// docs/sample-a4.png at 100 dpi.
func TestSample(t *testing.T) {
	pdf, _ := render(t, Options{}, sampleClaims("Siân O'Brien-Smith"))
	img := pdftoppm(t, pdf, 100, false)
	if !*writeSample {
		return
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll("../docs", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("../docs/sample-a4.png", buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote ../docs/sample-a4.png (%d bytes)", buf.Len())
}

// BenchmarkAddPassport measures the per-page cost of a batch: one Document,
// b.N pages, written at the end. It reports PDF bytes per page.
func BenchmarkAddPassport(b *testing.B) {
	c := sampleClaims("Nguyễn Thị Lan")
	text := fakeCredential(1, 700)
	doc, err := NewDocument(Options{Created: issued})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := doc.AddPassport(c, text); err != nil {
			b.Fatal(err)
		}
	}
	var cw countWriter
	if err := doc.Write(&cw); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cw)/float64(b.N), "PDFbytes/page")
}

// BenchmarkSinglePageDocument measures one PDF per person: NewDocument,
// one page, Write.
func BenchmarkSinglePageDocument(b *testing.B) {
	c := sampleClaims("Nguyễn Thị Lan")
	text := fakeCredential(1, 700)
	b.ReportAllocs()
	var total countWriter
	for i := 0; i < b.N; i++ {
		doc, err := NewDocument(Options{Created: issued})
		if err != nil {
			b.Fatal(err)
		}
		if err := doc.AddPassport(c, text); err != nil {
			b.Fatal(err)
		}
		if err := doc.Write(&total); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total)/float64(b.N), "PDFbytes/doc")
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// FuzzAddPassport: any strings in the printed fields render or fail with an
// error, never a panic.
func FuzzAddPassport(f *testing.F) {
	f.Add("Siân O'Brien-Smith", "Synthetic Trust", "Nurse", "enhanced")
	f.Add("😀\x00\u202e", "", "\n\n\n", strings.Repeat("W", 400))
	// Parsing the fonts is slow under fuzzing instrumentation, so each
	// worker reuses a Document and starts a new one every 50 pages.
	var doc *Document
	f.Fuzz(func(t *testing.T, name, org, role, level string) {
		if doc == nil || doc.Pages() >= 50 {
			if doc != nil {
				if err := doc.Write(io.Discard); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			if doc, err = NewDocument(Options{Created: issued}); err != nil {
				t.Fatal(err)
			}
		}
		c := sampleClaims(name)
		c.Body.Employment.OrgName = org
		c.Body.Employment.Role = role
		c.Body.Checks[2].Level = level
		// A record too long to print whole is refused with an error that
		// says so; any other error (a recovered panic) is a bug.
		err := doc.AddPassport(c, "SP1:FUZZ")
		var tooLong *errDoesNotFit
		if err != nil && !errors.As(err, &tooLong) && !strings.Contains(err.Error(), "characters long, over the") {
			t.Fatal(err)
		}
	})
}

// TestToUnicodeIsExact: the ToUnicode map written for each font subset
// gives one character per glyph (face.runeOf), so text extraction, copy
// and paste and screen readers get back exactly the characters printed
// only if no two characters the page can print share a glyph. A font
// update that breaks this would silently turn, say, Đ into Ð in
// extracted text.
func TestToUnicodeIsExact(t *testing.T) {
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	cov, _ := fontCoverage()
	for _, f := range fs {
		bad := 0
		for r := range cov {
			if g := f.glyph(r); g == 0 || f.runeOf[g] != r {
				if bad++; bad <= 5 {
					t.Errorf("%s: %q (U+%04X) is glyph %d, which extracts as %q", f.name, r, r, g, f.runeOf[g])
				}
			}
		}
	}
}

// TestWrapKeepsEveryCharacter: wrapped lines fit the width (a single
// character wider than the line aside) and hold every character of the
// text, in order; only spaces at line breaks go.
func TestWrapKeepsEveryCharacter(t *testing.T) {
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	r := &Renderer{}
	r.cov, _ = fontCoverage()
	p := &page{r: r, pdf: newCanvas(fs, pageW, pageH), scale: 1}
	texts := append([]string{
		"Alexandra Evangelia Theodora Konstantinopoulou-Papadimitriou",
		"Advanced Clinical Practitioner (Paediatric Emergency Medicine)",
		"  double  spaced\u00a0and -leading hyphen- trailing ",
		strings.Repeat("W", 90), "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z",
		"",
	}, sampleNames...)
	for _, s := range texts {
		for _, w := range []float64{12, 30, 62, 110} {
			p.font("B", 13, colText)
			lines := p.wrap(s, w)
			for _, l := range lines {
				if lw := p.pdf.GetStringWidth(l); lw > w && len([]rune(l)) > 1 {
					t.Errorf("wrap(%q, %g): line %q is %.1f mm wide", s, w, l, lw)
				}
			}
			strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
			if strip(strings.Join(lines, " ")) != strip(s) {
				t.Errorf("wrap(%q, %g) lost or changed characters: %q", s, w, lines)
			}
		}
	}
}
