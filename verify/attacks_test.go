package verify_test

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"sort"
	"testing"
	"time"

	"passport/layout"
	"passport/trust"
	"passport/verify"
)

// pageWithCodes draws each text as a QR code (layout.QR, as printed) side by
// side on one white image, as if two passports were scanned on one page, and
// returns it as PNG.
func pageWithCodes(t *testing.T, texts ...string) []byte {
	t.Helper()
	var codes []*image.Gray
	w, h := 0, 0
	for _, s := range texts {
		q, err := layout.QR(s, "M", 4)
		if err != nil {
			t.Fatalf("layout.QR: %v", err)
		}
		codes = append(codes, q)
		w += q.Bounds().Dx() + 40
		h = max(h, q.Bounds().Dy()+40)
	}
	page := image.NewGray(image.Rect(0, 0, w+40, h))
	draw.Draw(page, page.Bounds(), image.White, image.Point{}, draw.Src)
	x := 40
	for _, q := range codes {
		r := q.Bounds().Sub(q.Bounds().Min).Add(image.Pt(x, 20))
		draw.Draw(page, r, q, q.Bounds().Min, draw.Src)
		x += q.Bounds().Dx() + 40
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, page); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// attackStore trusts test issuers A and B of the vectors.
func attackStore(t *testing.T) (*trust.MemoryStore, map[string]*vecFile) {
	valid := loadVectors(t, "valid")
	st := trust.NewMemoryStore()
	for _, v := range valid {
		for _, k := range vecStore(t, v).Keys() {
			st.Add(k)
		}
	}
	return st, valid
}

// TestTwoDisagreeingCodesOnOnePage: a page carrying two different genuine
// passports (two people, two issuers) gives one result per code, each with
// its own subject: the verifier never merges them or reports only the first.
func TestTwoDisagreeingCodesOnOnePage(t *testing.T) {
	st, valid := attackStore(t)
	one, two := valid["basic"], valid["minimal-issuer-b"]
	if one == nil || two == nil {
		t.Fatal("vectors basic and minimal-issuer-b are missing")
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	results := readInput(t, "page.png", pageWithCodes(t, one.Text, two.Text), st, now)
	if len(results) != 2 {
		t.Fatalf("got %d results, want one per code (2): %+v", len(results), results)
	}
	var ids, subjects []string
	for _, r := range results {
		if r.Status != verify.StatusValid {
			t.Errorf("code %s: %s %+v, want valid", r.CredentialID, r.Status, r.Reasons)
		}
		ids = append(ids, r.CredentialID)
		subjects = append(subjects, r.Subject)
		if !hasCode(r.Warnings, string(verify.WarnMultipleCodes)) {
			t.Errorf("code %s: warnings %+v, want multiple_credentials", r.CredentialID, r.Warnings)
		}
	}
	sort.Strings(ids)
	sort.Strings(subjects)
	wantIDs := []string{one.Claims.Cti, two.Claims.Cti}
	sort.Strings(wantIDs)
	if ids[0] != wantIDs[0] || ids[1] != wantIDs[1] {
		t.Errorf("credential ids %v, want %v", ids, wantIDs)
	}
	if subjects[0] == subjects[1] {
		t.Errorf("both results name %q: the two codes were not read separately", subjects[0])
	}
}

// TestGenuineBesideForgedCode: a forged code printed beside a genuine one
// must not borrow the genuine one's verdict.
func TestGenuineBesideForgedCode(t *testing.T) {
	st, valid := attackStore(t)
	forged := loadVectors(t, "invalid")["tampered-payload-byte"]
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	results := readInput(t, "page.png", pageWithCodes(t, valid["basic"].Text, forged.Text), st, now)
	if len(results) != 2 {
		t.Fatalf("got %d results, want 2", len(results))
	}
	statuses := map[verify.Status]int{}
	for _, r := range results {
		statuses[r.Status]++
		if r.Status == verify.StatusInvalid && !hasCode(r.Reasons, string(verify.ReasonSignatureInvalid)) {
			t.Errorf("forged code: reasons %+v, want signature_invalid", r.Reasons)
		}
	}
	if statuses[verify.StatusValid] != 1 || statuses[verify.StatusInvalid] != 1 {
		t.Errorf("statuses %v, want one valid and one invalid", statuses)
	}
}

// TestVectorsAsTextInput feeds every vector text through the reading layer (package read) as a
// text file (one credential per line, as a USB scanner writes them): the
// verdicts are those of verify.Text, line for line.
func TestVectorsAsTextInput(t *testing.T) {
	st, valid := attackStore(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var lines bytes.Buffer
	var want []verify.Status
	for _, name := range []string{"basic", "full", "minimal-issuer-b"} {
		lines.WriteString(valid[name].Text + "\r\n")
		want = append(want, verify.StatusValid)
	}
	bad := loadVectors(t, "invalid")
	for _, name := range []string{"tampered-signature-byte", "untrusted-key", "kid-of-other-trusted-issuer", "zlib-bomb"} {
		lines.WriteString(bad[name].Text + "\n")
		want = append(want, verify.StatusInvalid)
	}
	results := readInput(t, "scanner.txt", lines.Bytes(), st, now)
	if len(results) != len(want) {
		t.Fatalf("got %d results, want %d", len(results), len(want))
	}
	for i, r := range results {
		if hasCode(r.Warnings, string(verify.WarnMultipleCodes)) {
			t.Errorf("line %d: a text batch must not be flagged as a mixed page", i+1)
		}
		if r.Status != want[i] {
			t.Errorf("line %d: %s %+v, want %s", i+1, r.Status, r.Reasons, want[i])
		}
	}
}
