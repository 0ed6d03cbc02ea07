package layout

import (
	"bytes"
	"strings"
	"testing"
)

// TestFitDrawsOnceAfterMeasuring: each type scale is tried on a dry canvas
// that writes nothing, and the page is drawn once, at the first scale that
// fits, exactly as drawing every scale in turn would have drawn it.
func TestFitDrawsOnceAfterMeasuring(t *testing.T) {
	r, err := NewRenderer(Options{Created: issued, Contact: "passports@rhq.nhs.uk"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := encodeMatrix(fakeCredential(7, 700), "M")
	if err != nil {
		t.Fatal(err)
	}
	qr, err := qrImage(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Siân O'Brien-Smith", strings.Repeat("Bartholomew-Featherstonehaugh ", 6)} {
		c := sampleClaims(name)
		got, err := r.fit(c, qr, m.n, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The reference: every scale drawn in full until one fits.
		var want *canvas
		for _, k := range fitScales {
			cv := newCanvas(r.faces, pageW, pageH)
			p := &page{r: r, pdf: cv, c: c, scale: k}
			p.render(qr, m.n, nil)
			if p.err == nil {
				want = cv
				break
			}
			dry := &page{r: r, pdf: &canvas{fs: r.faces, wMM: pageW, hMM: pageH, dry: true}, c: c, scale: k}
			dry.render(qr, m.n, nil)
			if dry.err == nil || len(dry.pdf.ops) != 0 || len(dry.pdf.images) != 0 {
				t.Fatalf("%.20s at %g: the dry run says %v and wrote %d bytes, %d images; want the same failure and nothing written",
					name, k, dry.err, len(dry.pdf.ops), len(dry.pdf.images))
			}
		}
		if want == nil || len(got) != 1 || !bytes.Equal(got[0].ops, want.ops) || len(got[0].images) != len(want.images) {
			t.Fatalf("%.20s: fit drew a different page than drawing each scale in turn", name)
		}
	}
}
