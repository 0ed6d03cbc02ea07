package layout_test

import (
	"bytes"
	"strings"
	"testing"

	"passport/credential"
	"passport/layout"
)

// TestA4PrintsLevelsAndMarksUnknown renders a version-2 passport with
// levels, a clearance kind, the Oliver McGowan tier, and items a newer
// format would carry (a subject, a level and an outcome this version does
// not know), and reads the page back with pdftotext: levels are in words
// from the registry, and each unknown item is printed, marked, never
// dropped.
func TestA4PrintsLevelsAndMarksUnknown(t *testing.T) {
	pdftotext := needPoppler(t, "pdftotext")
	done := credential.NewDate(2025, 6, 1)
	exp := done.AddDays(3 * 365)
	c := &credential.Claims{Issuer: "RXT", IssuedAt: longNow, NotBefore: longNow, Expires: longNow.AddDate(1, 0, 0), ID: bytes.Repeat([]byte{1}, 16),
		Body: credential.Body{Version: 2,
			Person:     credential.Person{Name: "Alex Example", StaffNumber: "T1", DateOfBirth: credential.NewDate(1990, 1, 1)},
			Employment: credential.Employment{OrgCode: "RXT", OrgName: "Test Trust (TEST)", Role: "Staff Nurse"},
			Checks: []credential.Check{
				{Type: credential.CheckDBS, Outcome: credential.OutcomeClear, Done: done, Level: "enhanced_barred_children"},
				{Type: credential.CheckOccupationalHealth, Outcome: credential.OutcomeClear, Done: done, Level: "epp"},
				{Type: credential.CheckIdentity, Outcome: 3, Done: done},
			},
			Training: []credential.Training{
				{Subject: credential.SubjectSafeguardingChild, Completed: done, Expires: exp, Level: "level_3"},
				{Subject: credential.SubjectLearningDisability, Completed: done, Expires: exp, Level: "tier_2"},
				{Subject: credential.SubjectResuscitation, Completed: done, Expires: exp, Level: "level_4"},
				{Subject: 13, Completed: done, Expires: exp, Level: "level_1"},
			},
		}}
	r, err := layout.NewRenderer(layout.Options{Layout: layout.LayoutA4, Created: longNow})
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Render(c, "SP1:TEST", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := layout.WritePDF(&buf, longNow, p); err != nil {
		t.Fatal(err)
	}
	got := pageText(t, pdftotext, buf.Bytes(), 1)
	for _, want := range []string{
		"Enhanced with children's barred list",
		"Cleared for exposure-prone procedures (EPP)",
		"Safeguarding children, level 3 " + done.Human(),
		"Learning disability and autism (Oliver McGowan), tier 2 " + done.Human(),
		"Resuscitation, unrecognised level: Level 4 Not recognised by this version: update passport",
		"Unrecognised subject 13, unrecognised level: Level 1 Not recognised by this version: update passport",
		"Identity Not recognised by this version: update passport Unrecognised outcome",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("page lacks %q\npage: %s", want, got)
		}
	}
	if n := strings.Count(got, "Not recognised by this version"); n != 3 {
		t.Errorf("%d items marked not recognised, want 3\npage: %s", n, got)
	}
}
