package main

import (
	"fmt"
	"io"

	"passport/verify"
)

// dccCodes names the EU DCC value-set codes a receptionist meets most;
// other codes are shown as they are.
var dccCodes = map[string]string{
	"840539006":    "COVID-19",
	"260415000":    "not detected",
	"260373001":    "detected",
	"LP6464-4":     "NAAT (PCR)",
	"LP217198-3":   "rapid antigen test",
	"1119349007":   "mRNA vaccine",
	"1119305005":   "antigen vaccine",
	"J07BX03":      "COVID-19 vaccine",
	"EU/1/20/1528": "Comirnaty",
	"EU/1/20/1507": "Spikevax",
	"EU/1/21/1529": "Vaxzevria",
	"EU/1/20/1525": "Jcovden",
}

func dccCode(c string) string {
	if n, ok := dccCodes[c]; ok {
		return n + " (" + safe(c) + ")"
	}
	return safe(c)
}

// printDCC prints the holder and entries of an EU DCC.
func printDCC(w io.Writer, d *verify.DCCView) {
	name := d.Name.GivenName + " " + d.Name.FamilyName
	if d.Name.FamilyName == "" {
		name = d.Name.GivenNameStandard + " " + d.Name.FamilyNameStandard
	}
	fmt.Fprintf(w, "  name:     %s (%s<<%s)\n", safe(name), safe(d.Name.FamilyNameStandard), safe(d.Name.GivenNameStandard))
	fmt.Fprintf(w, "  born:     %s\n", safe(d.DateOfBirth))
	fmt.Fprintf(w, "  EU DCC:   issued by %s on %s, expires %s (schema %s)\n", safe(d.Country), day(d.IssuedAt), day(d.Expires), safe(d.SchemaVersion))
	for _, v := range d.Vaccinations {
		fmt.Fprintf(w, "  vaccine:  %s, dose %d of %d on %s, %s, %s by %s · %s · id %s\n", dccCode(v.Disease), v.DoseNumber, v.TotalDoses,
			safe(v.Date), dccCode(v.Product), dccCode(v.Prophylaxis), safe(v.Manufacturer), safe(v.Country), safe(v.CertificateID))
	}
	for _, t := range d.Tests {
		what := t.Name
		if what == "" {
			what = t.Device
		}
		fmt.Fprintf(w, "  test:     %s, %s %s, sampled %s, result %s, at %s · %s · id %s\n", dccCode(t.Disease), dccCode(t.TestType),
			safe(what), safe(t.SampleTime), dccCode(t.Result), safe(t.Centre), safe(t.Country), safe(t.CertificateID))
	}
	for _, r := range d.Recoveries {
		fmt.Fprintf(w, "  recovery: %s, first positive %s, valid %s to %s · %s · id %s\n", dccCode(r.Disease), safe(r.FirstPositive),
			safe(r.ValidFrom), safe(r.ValidUntil), safe(r.Country), safe(r.CertificateID))
	}
}
