package dcc

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// validCert is a certificate that follows every rule Validate checks.
func validCert() *Cert {
	return &Cert{Ver: "1.3.0", Dob: "1964-08-12",
		Nam: &Name{FamilyName: "d'Červenková Panklová", GivenName: "Jiřina-Maria Alena", FamilyNameStandard: "DCERVENKOVA<PANKLOVA", GivenNameStandard: "JIRINA<MARIA<ALENA"},
		V: []Vaccination{{Disease: "840539006", Prophylaxis: "1119349007", Product: "EU/1/20/1528", Manufacturer: "ORG-100030215",
			DoseNumber: 2, TotalDoses: 2, Date: "2021-06-01", Country: "XT", Issuer: "Test Ministry", CertificateID: "URN:UVCI:01:XT:1"}}}
}

func testEntry() Test {
	return Test{Disease: "840539006", TestType: "LP6464-4", SampleTime: "2021-05-24T15:20:00+02:00", Result: "260415000",
		Country: "XT", Issuer: "Test Ministry", CertificateID: "URN:UVCI:01:XT:2"}
}

func recoveryEntry() Recovery {
	return Recovery{Disease: "840539006", FirstPositive: "2021-05-07", ValidFrom: "2021-05-18", ValidUntil: "2021-09-05",
		Country: "XT", Issuer: "Test Ministry", CertificateID: "URN:UVCI:01:XT:3"}
}

func TestValidate(t *testing.T) {
	issued := time.Date(2021, 6, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		tamper    func(h *Cert)
		wantField string // "" = valid
	}{
		{"valid vaccination", func(h *Cert) {}, ""},
		{"valid test", func(h *Cert) { h.V, h.T = nil, []Test{testEntry()} }, ""},
		{"valid recovery", func(h *Cert) { h.V, h.R = nil, []Recovery{recoveryEntry()} }, ""},
		{"two entries of one type", func(h *Cert) { h.V = append(h.V, h.V[0]) }, ""},
		{"vaccination and test", func(h *Cert) { h.T = []Test{testEntry()} }, "v, t, r"},
		{"all three types", func(h *Cert) { h.T, h.R = []Test{testEntry()}, []Recovery{recoveryEntry()} }, "v, t, r"},
		{"no entry", func(h *Cert) { h.V = nil }, "v, t, r"},
		{"no name", func(h *Cert) { h.Nam = nil }, "nam"},
		{"ver two parts", func(h *Cert) { h.Ver = "1.3" }, "ver"},
		{"ver letters", func(h *Cert) { h.Ver = "1.3.x" }, "ver"},
		{"ver empty part", func(h *Cert) { h.Ver = "1..0" }, "ver"},
		{"fnt lower case", func(h *Cert) { h.Nam.FamilyNameStandard = "Musterfrau" }, "nam.fnt"},
		{"gnt with space", func(h *Cert) { h.Nam.GivenNameStandard = "ERIKA MARIA" }, "nam.gnt"},
		{"gnt empty", func(h *Cert) { h.Nam.GivenNameStandard = "" }, ""},
		{"fnt 80", func(h *Cert) { h.Nam.FamilyNameStandard = strings.Repeat("A", 80) }, ""},
		{"fnt 81", func(h *Cert) { h.Nam.FamilyNameStandard = strings.Repeat("A", 81) }, "nam.fnt"},
		{"fn 80 letters beyond ASCII", func(h *Cert) { h.Nam.FamilyName = strings.Repeat("Č", 80) }, ""},
		{"fn 81", func(h *Cert) { h.Nam.FamilyName = strings.Repeat("Č", 81) }, "nam.fn"},
		{"gn Arabic", func(h *Cert) { h.Nam.GivenName = "الاسم الأول" }, ""},
		{"gn emoji", func(h *Cert) { h.Nam.GivenName = "😀😃😄" }, "nam.gn"},
		{"fn control character", func(h *Cert) { h.Nam.FamilyName = "Muster\x1b[2Jfrau" }, "nam.fn"},
		{"dob empty", func(h *Cert) { h.Dob = "" }, ""},
		{"dob year", func(h *Cert) { h.Dob = "1963" }, ""},
		{"dob year and month", func(h *Cert) { h.Dob = "1964-01" }, ""},
		{"dob unknown month", func(h *Cert) { h.Dob = "1963-00" }, ""},
		{"dob with a time", func(h *Cert) { h.Dob = "1978-01-26T00:00:00" }, ""},
		{"dob before 1900", func(h *Cert) { h.Dob = "1815-08-24" }, "dob"},
		{"dob after 2099", func(h *Cert) { h.Dob = "2100-01-01" }, "dob"},
		{"dob slashes", func(h *Cert) { h.Dob = "12/08/1964" }, "dob"},
		{"dob short month", func(h *Cert) { h.Dob = "1964-8-12" }, "dob"},
		{"dob time without day", func(h *Cert) { h.Dob = "1964-08T00:00" }, "dob"},
		{"dob on the day of issue", func(h *Cert) { h.Dob = "2021-06-02" }, ""},
		{"dob the day after issue", func(h *Cert) { h.Dob = "2021-06-03" }, "dob"},
		{"dob in the month of issue", func(h *Cert) { h.Dob = "2021-06" }, ""},
		{"dob the year after issue", func(h *Cert) { h.Dob = "2022" }, "dob"},
		{"dt not a day", func(h *Cert) { h.V[0].Date = "2021-02-30" }, "v[0].dt"},
		{"dt empty", func(h *Cert) { h.V[0].Date = "" }, "v[0].dt"},
		{"dt with a time", func(h *Cert) { h.V[0].Date = "2021-03-18T22:54:00+02:00" }, ""},
		{"dt with a space", func(h *Cert) { h.V[0].Date = "2021-03-18 22:54" }, "v[0].dt"},
		{"second entry's dt", func(h *Cert) { h.V = append(h.V, h.V[0]); h.V[1].Date = "18.03.2021" }, "v[1].dt"},
		{"is 81", func(h *Cert) { h.V[0].Issuer = strings.Repeat("x", 81) }, "v[0].is"},
		{"sc date only", func(h *Cert) { h.V, h.T = nil, []Test{testEntry()}; h.T[0].SampleTime = "2021-05-24" }, "t[0].sc"},
		{"sc no zone", func(h *Cert) { h.V, h.T = nil, []Test{testEntry()}; h.T[0].SampleTime = "2021-05-24T15:20:00" }, "t[0].sc"},
		{"sc UTC fraction", func(h *Cert) { h.V, h.T = nil, []Test{testEntry()}; h.T[0].SampleTime = "2021-05-24T15:20:00.000Z" }, ""},
		{"tc 100", func(h *Cert) { h.V, h.T = nil, []Test{testEntry()}; h.T[0].Centre = strings.Repeat("x", 100) }, ""},
		{"fr missing", func(h *Cert) { h.V, h.R = nil, []Recovery{recoveryEntry()}; h.R[0].FirstPositive = "" }, "r[0].fr"},
		{"du not a date", func(h *Cert) { h.V, h.R = nil, []Recovery{recoveryEntry()}; h.R[0].ValidUntil = "never" }, "r[0].du"},
		// Accepted: issuers the EU accepts write them (see Validate).
		{"dn 0", func(h *Cert) { h.V[0].DoseNumber = 0 }, ""},
		{"co empty", func(h *Cert) { h.V[0].Country = "" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := validCert()
			tc.tamper(h)
			err := h.Validate(issued)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var se *SchemaError
			if !errors.As(err, &se) || se.Field != tc.wantField {
				t.Fatalf("error %v, want a schema error on %s", err, tc.wantField)
			}
			if !strings.Contains(err.Error(), tc.wantField) || se.Rule == "" {
				t.Fatalf("error %q does not name %s and the rule", err, tc.wantField)
			}
		})
	}
}
