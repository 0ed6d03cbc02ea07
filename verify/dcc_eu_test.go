package verify_test

import (
	"bufio"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"passport/credential"
	"passport/credential/dcc"
	"passport/trust"
	"passport/verify"
)

// euCase is one file of the EU's DCC test data, as trim.sh keeps it.
type euCase struct {
	Source  string `json:"source"`
	Prefix  string `json:"PREFIX"`
	TestCtx struct {
		Certificate     string `json:"CERTIFICATE"`
		ValidationClock string `json:"VALIDATIONCLOCK"`
		Description     string `json:"DESCRIPTION"`
	} `json:"TESTCTX"`
	Expected map[string]bool `json:"EXPECTEDRESULTS"`
}

// euSteps maps each reason code the verifier can give to the steps of the
// EU's test procedure (its EXPECTED... fields, named without the prefix)
// that could cause it. A reason is the verifier's claim that one of those
// steps failed: it agrees with the data when the case expects one of them
// to fail, and disagrees when the case states them and expects them all
// to succeed. A reason not listed here belongs to no step (revocation,
// a must-understand marker), and the EU data never expects one.
var euSteps = map[credential.Reason][]string{
	credential.ReasonBadPrefix:      {"UNPREFIX"},
	credential.ReasonBadEncoding:    {"B45DECODE"},
	credential.ReasonBadCompression: {"COMPRESSION"},
	credential.ReasonTooLarge:       {"B45DECODE", "COMPRESSION", "DECODE"},
	credential.ReasonBadCOSE:        {"DECODE", "VERIFY"},
	credential.ReasonUnsupportedAlg: {"VERIFY"},
	credential.ReasonMissingKID:     {"VERIFY"},
	verify.ReasonSignatureInvalid:   {"VERIFY"},
	verify.ReasonIssuerUnknown:      {"VERIFY"},
	verify.ReasonIssuerRevoked:      {"VERIFY"},
	verify.ReasonKeyNotForKind:      {"VERIFY", "KEYUSAGE"},
	// The issuer claim names a country the key is not trusted for: the
	// signer's certificate does not vouch for this content.
	verify.ReasonIssuerMismatch: {"VERIFY"},
	// The claims are read by one decoder: a payload it refuses is not
	// decodable, not schema-valid, or not the JSON the file holds.
	credential.ReasonBadClaims: {"DECODE", "SCHEMAVALIDATION", "VALIDJSON"},
	verify.ReasonExpired:       {"EXPIRATIONCHECK"},
	verify.ReasonNotYetValid:   {"EXPIRATIONCHECK"},
}

// euOutside lists the reasons of checks the EU's test procedure does not
// have, and why the verifier keeps them. Such a reason contradicts no
// stated step; a case the EU accepts that is refused only for one of them
// is counted as not applicable, with the reason.
var euOutside = map[credential.Reason]string{
	verify.ReasonKeyNotValid: "the signer certificate was not valid when the DCC says it was signed (iat): the EU's VERIFY is the signature alone, " +
		"and its test certificates were made after the DCCs they sign; a real signer cannot sign before its certificate exists, so the refusal stands",
}

// euNotApplicable lists the expectations an offline verifier of printed
// texts cannot be held to, and why. An expectation of one of these steps
// to succeed still counts against a reason that claims it failed (see
// euSteps); only an expectation that it fails is not required.
var euNotApplicable = map[string]string{
	"PICTUREDECODE":    "the PNG is a test of the QR reader, not of judging the text (verify/scan has its own corpus)",
	"SCHEMAVALIDATION": "the DCC JSON schema is not checked: the claims decoder requires only the fields a verdict and its view need",
	"VALIDOBJECT":      "a test of making a DCC (the file's JSON against the schema), not of judging one",
	"ENCODE":           "a test of making a DCC (JSON to CBOR), not of judging one",
	"KEYUSAGE":         "a key is trusted for one country's DCCs, not per DCC type: the key-usage OIDs of a signer certificate are not imported",
	"EXPTECTEDEXPIRED": "not a field the data's README defines (a misspelling; its meaning is not stated)",
	"RESULTS":          "not a field the data's README defines (EXPECTEDRESULTS nested in itself)",
}

// TestEUTestData judges every case of the EU's public DCC test data
// (verify/testdata/dgc, see its README) that states an expectation, with
// the case's signer certificate trusted as a DCC signer for its country,
// at the case's validation clock, and compares the verdict with each
// stated step: a step expected to fail must show as a reason of that
// step, and no reason may claim a failure of steps the case expects to
// succeed. A case that is not judged as the EU expects fails the test.
func TestEUTestData(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "dgc", "eu-cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []euCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c euCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("eu-cases.jsonl line %d: %v", len(cases)+1, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// The data at commit 4a62c8d: 581 files state expectations, 555 of
	// them whether the signature verifies.
	if len(cases) != 581 {
		t.Fatalf("%d cases, want 581", len(cases))
	}
	agree, notApplicable := 0, 0
	naSteps := map[string]int{}
	outsideCases := map[credential.Reason][]string{}
	keyUsageAccepted := 0
	verifyCases, verifyAgree := 0, 0 // the cases that state whether the signature verifies
	for _, c := range cases {
		r := judgeEUCase(t, c)
		problems, applicable, outside := euDisagreements(c, r)
		for step := range c.Expected {
			if _, na := euNotApplicable[strings.TrimPrefix(step, "EXPECTED")]; na {
				naSteps[strings.TrimPrefix(step, "EXPECTED")]++
			}
		}
		if want, ok := c.Expected["EXPECTEDKEYUSAGE"]; ok && !want && r.Status == verify.StatusValid {
			keyUsageAccepted++
		}
		_, statesVerify := c.Expected["EXPECTEDVERIFY"]
		if statesVerify {
			verifyCases++
		}
		switch {
		case len(problems) > 0:
			t.Errorf("%s (%s): %s; verdict %s %v", c.Source, c.TestCtx.Description, strings.Join(problems, "; "), r.Status, reasonCodes(r))
		case applicable == 0:
			notApplicable++
		case len(outside) > 0:
			notApplicable++
			for _, code := range outside {
				outsideCases[code] = append(outsideCases[code], c.Source)
			}
		default:
			agree++
			if statesVerify {
				verifyAgree++
			}
		}
	}
	t.Logf("EU DCC test data: %d cases, %d judged as the EU expects, %d not applicable; of the %d that state EXPECTEDVERIFY, %d judged as the EU expects",
		len(cases), agree, notApplicable, verifyCases, verifyAgree)
	for code, srcs := range outsideCases {
		t.Logf("  %d accepted by the EU, refused here for %s (%s): %s", len(srcs), code, strings.Join(srcs, ", "), euOutside[code])
	}
	t.Logf("  %d with no stated step but those below", notApplicable-len(outsideCases[verify.ReasonKeyNotValid]))
	steps := make([]string, 0, len(naSteps))
	for s := range naSteps {
		steps = append(steps, s)
	}
	sort.Strings(steps)
	for _, s := range steps {
		t.Logf("  %s, stated in %d cases, not required: %s", s, naSteps[s], euNotApplicable[s])
	}
	t.Logf("  of the cases that expect the key-usage check to fail, %d are valid here (see KEYUSAGE)", keyUsageAccepted)
	if agree+notApplicable != len(cases) {
		t.Errorf("%d of %d cases not judged as the EU expects", len(cases)-agree-notApplicable, len(cases))
	}
}

// judgeEUCase verifies a case's text with only its signer certificate
// trusted, as a DCC signer for the certificate's country (or, for a
// certificate that names none, the country the DCC itself gives).
func judgeEUCase(t *testing.T, c euCase) verify.Result {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(c.TestCtx.Certificate)
	if err != nil {
		t.Fatalf("%s: certificate: %v", c.Source, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("%s: certificate: %v", c.Source, err)
	}
	// A certificate that names no country is trusted for the one the DCC
	// gives, when it can be read.
	var country string
	if s, err := credential.Decode(c.Prefix); err == nil {
		if cl, h, err := dcc.Parse(s.Payload()); err == nil {
			country = dcc.Country(cl.Iss, h.IDs()[0], "")
		}
	}
	if len(cert.Subject.Country) > 0 {
		country = cert.Subject.Country[0]
	}
	now, err := euClock(c.TestCtx.ValidationClock)
	if err != nil {
		t.Fatalf("%s: %v", c.Source, err)
	}
	st := trust.NewMemoryStore()
	st.Add(trust.TrustedKey{KID: trust.KeyID(cert.Raw), PublicKey: cert.PublicKey, Kind: trust.KindDCC, Country: country,
		OrgName: cert.Subject.CommonName, ValidFrom: cert.NotBefore, ValidUntil: cert.NotAfter})
	return verify.Text(c.Source, c.Prefix, st, verify.Options{Now: now})
}

// euDisagreements lists where a verdict departs from the case's stated
// expectations, and counts the expectations that applied.
func euDisagreements(c euCase, r verify.Result) (problems []string, applicable int, outside []credential.Reason) {
	unjudged := 0 // reasons of steps the case does not state
	stated := func(step string) (want, ok bool) {
		want, ok = c.Expected["EXPECTED"+step]
		return
	}
	codes := reasonCodes(r)
	// Each reason must belong to a step the case expects to fail, or to
	// steps it does not state.
	for _, code := range codes {
		if _, ok := euOutside[code]; ok {
			outside = append(outside, code)
			continue
		}
		steps, known := euSteps[code]
		if !known {
			problems = append(problems, fmt.Sprintf("reason %s belongs to no step of the EU's test procedure", code))
			continue
		}
		failedExpected, succeedExpected := false, false
		for _, s := range steps {
			if want, ok := stated(s); ok && !want {
				failedExpected = true
			} else if ok && want {
				succeedExpected = true
			}
		}
		if !succeedExpected && !failedExpected {
			unjudged++
		}
		if succeedExpected && !failedExpected {
			problems = append(problems, fmt.Sprintf("reason %s, but the EU expects %s to succeed", code, strings.Join(steps, "/")))
		}
	}
	// Each step expected to fail must show as a reason of that step.
	for key, want := range c.Expected {
		step := strings.TrimPrefix(key, "EXPECTED")
		if _, na := euNotApplicable[step]; na {
			continue
		}
		applicable++
		if want {
			continue // checked through the reasons above
		}
		found := false
		for _, code := range codes {
			if slices.Contains(euSteps[code], step) {
				found = true
			}
		}
		if !found || r.Status != verify.StatusInvalid {
			problems = append(problems, fmt.Sprintf("the EU expects %s to fail", step))
		}
	}
	// A case that expects every step it states to succeed is a DCC the EU
	// accepts: it must be read as one, and refused only for a step it does
	// not state (the reasons above) or a check outside its procedure.
	allTrue := true
	for _, want := range c.Expected {
		allTrue = allTrue && want
	}
	if allTrue && len(codes) == 0 && (r.Status != verify.StatusValid || r.Document != verify.DocumentEUDCC) {
		problems = append(problems, fmt.Sprintf("the EU accepts it; here it is %s (%s)", r.Status, r.Document))
	}
	if !allTrue || len(outside) < len(codes)-unjudged || unjudged > 0 {
		outside = nil // refused as the EU expects, or for a step it does not state
	}
	return problems, applicable, outside
}

// euClock reads a validation clock as the data writes it: ISO 8601 with
// a zone as +hh:mm, +hhmm or Z, or with none (taken as UTC).
func euClock(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("validation clock %q is not an ISO 8601 time", s)
}

func reasonCodes(r verify.Result) []credential.Reason {
	var out []credential.Reason
	for _, x := range r.Reasons {
		out = append(out, x.Code)
	}
	return out
}
