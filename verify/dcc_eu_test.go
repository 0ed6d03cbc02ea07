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
	// The signer certificate's key usage does not allow the DCC's type.
	verify.ReasonDCCTypeNotAllowed: {"KEYUSAGE"},
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

// euNotApplicable lists the expectations this verifier is not held to,
// and why: steps outside judging a printed text, and checks it does not
// make (yet). An expectation of one of these steps
// to succeed still counts against a reason that claims it failed (see
// euSteps); only an expectation that it fails is not required.
var euNotApplicable = map[string]string{
	"PICTUREDECODE": "the PNG is a test of the QR reader, not of judging the text (verify/scan has its own corpus)",
	"SCHEMAVALIDATION": "the DCC's value sets (test devices, vaccine makers, countries) are not checked: they grow, and an offline copy would refuse new ones " +
		"(the schema's other rules are, see dcc.Cert.Validate)",
	"VALIDOBJECT": "a test of making a DCC (the file's JSON against the schema), not of judging one",
	"ENCODE":      "a test of making a DCC (JSON to CBOR), not of judging one",
	"KEYUSAGE": "the signer certificate lists none of the EU's DCC type OIDs (only an ICAO document-signer usage, 2.23.136.1.1.14.2): " +
		"by the EU's rule such a certificate may sign every type, so the DCC is accepted here, while the case expects the key usage check to fail",
	"EXPTECTEDEXPIRED": "not a field the data's README defines (a misspelling; its meaning is not stated)",
	"RESULTS":          "not a field the data's README defines (EXPECTEDRESULTS nested in itself)",
}

// TestEUTestData judges every case of the EU's public DCC test data
// (verify/testdata/dgc, see its README) that states an expectation, with
// the case's signer certificate trusted as a DCC signer for its country
// and the DCC types its key usage allows, at the case's validation clock, and compares the verdict with each
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
	verifyCases, verifyAgree := 0, 0 // the cases that state whether the signature verifies
	// Why each case not judged is not applicable: a step of
	// euNotApplicable it expects to fail (and that shows no failure here),
	// a reason of euOutside, or no step that can be judged at all.
	naCases := map[string][]string{}
	// Cases refused for their signer's key usage that do not state the
	// step: they agree (no stated step failed), and are pinned below.
	var unstatedUsage []string
	for _, c := range cases {
		r := judgeEUCase(t, c)
		v := euJudge(c, r)
		_, statesVerify := c.Expected["EXPECTEDVERIFY"]
		if statesVerify {
			verifyCases++
		}
		name := strings.TrimSuffix(c.Source, ".json")
		if _, stated := c.Expected["EXPECTEDKEYUSAGE"]; !stated && slices.Contains(reasonCodes(r), verify.ReasonDCCTypeNotAllowed) {
			unstatedUsage = append(unstatedUsage, name)
		}
		switch {
		case len(v.problems) > 0:
			t.Errorf("%s (%s): %s; verdict %s %v", c.Source, c.TestCtx.Description, strings.Join(v.problems, "; "), r.Status, reasonCodes(r))
		case len(v.unmet) > 0 || len(v.outside) > 0 || v.applicable == 0:
			notApplicable++
			for _, step := range v.unmet {
				naCases[step] = append(naCases[step], name)
			}
			for _, code := range v.outside {
				naCases[string(code)] = append(naCases[string(code)], name)
			}
			if v.applicable == 0 && len(v.unmet) == 0 {
				naCases["no step judged"] = append(naCases["no step judged"], name)
			}
		default:
			agree++
			if statesVerify {
				verifyAgree++
			}
		}
	}
	t.Logf("EU DCC test data: %d cases: %d judged as the EU expects, %d not applicable; of the %d that state EXPECTEDVERIFY, %d judged as the EU expects",
		len(cases), agree, notApplicable, verifyCases, verifyAgree)
	keys := make([]string, 0, len(naCases))
	for k := range naCases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		why := euNotApplicable[k]
		if w, ok := euOutside[credential.Reason(k)]; ok {
			why = "the EU accepts these; refused here: " + w
		}
		shown := naCases[k]
		if len(shown) > 8 {
			shown = append(shown[:8:8], "…")
		}
		t.Logf("  not applicable (a case may be in more than one), %s, %d cases (%s): %s", k, len(naCases[k]), strings.Join(shown, ", "), why)
	}
	// The not-applicable cases are pinned, so that a change cannot move a
	// case the verifier judged into them unseen (every DCC refused for a
	// reason of euOutside, say). A verifier that learns a step (the schema)
	// lowers its count here.
	want := map[string]int{"KEYUSAGE": 1, "PICTUREDECODE": 1, "SCHEMAVALIDATION": 9, string(verify.ReasonKeyNotValid): 1}
	for _, k := range keys {
		if len(naCases[k]) != want[k] {
			t.Errorf("not applicable, %s: %d cases, want %d", k, len(naCases[k]), want[k])
		}
	}
	if notApplicable != 12 || agree != 569 {
		t.Errorf("%d cases judged as the EU expects and %d not applicable, want 569 and 12", agree, notApplicable)
	}
	// LI/4 is a test result signed by a certificate for vaccinations
	// only (1.3.6.1.4.1.0.1847.2021.1.2). The case states no key usage
	// expectation, so the data neither asks for nor forbids the refusal;
	// by the EU's rule the signer may not sign it.
	if want := []string{"LI/2DCode/raw/4"}; !slices.Equal(unstatedUsage, want) {
		t.Errorf("refused for key usage without stating it: %v, want %v", unstatedUsage, want)
	}
}

// judgeEUCase verifies a case's text with only its signer certificate
// trusted, as a DCC signer for the certificate's country (or, for a
// certificate that names none, the country the DCC itself gives) and the
// DCC types its extended key usage allows (trust.DCCTypesOf).
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
		OrgName: cert.Subject.CommonName, ValidFrom: cert.NotBefore, ValidUntil: cert.NotAfter, DCCTypes: trust.DCCTypesOf(cert)})
	return verify.Text(c.Source, c.Prefix, st, verify.Options{Now: now})
}

// euVerdict is how a verdict compares with a case's expectations.
type euVerdict struct {
	problems   []string            // departures: each fails the test
	applicable int                 // stated expectations that were judged
	unmet      []string            // steps of euNotApplicable the EU expects to fail that show no failure here
	outside    []credential.Reason // reasons of euOutside that alone refuse a DCC the EU accepts
}

// euJudge compares a verdict with the case's stated expectations.
func euJudge(c euCase, r verify.Result) euVerdict {
	var v euVerdict
	stated := func(step string) (want, ok bool) {
		want, ok = c.Expected["EXPECTED"+step]
		return
	}
	codes := reasonCodes(r)
	// Each reason must belong to a step the case expects to fail, or to
	// steps it does not state.
	unjudged, outside := 0, 0
	for _, code := range codes {
		if _, ok := euOutside[code]; ok {
			outside++
			continue
		}
		steps, known := euSteps[code]
		if !known {
			v.problems = append(v.problems, fmt.Sprintf("reason %s belongs to no step of the EU's test procedure", code))
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
			v.problems = append(v.problems, fmt.Sprintf("reason %s, but the EU expects %s to succeed", code, strings.Join(steps, "/")))
		}
	}
	// Each step expected to fail must show as a reason of that step.
	for key, want := range c.Expected {
		step := strings.TrimPrefix(key, "EXPECTED")
		shown := false
		for _, code := range codes {
			shown = shown || slices.Contains(euSteps[code], step)
		}
		if _, na := euNotApplicable[step]; na {
			// Still judged when a reason can say it failed: a schema-valid
			// DCC must not be refused as bad_claims, and one that is not
			// may be (it then agrees).
			switch {
			case !want && !shown:
				v.unmet = append(v.unmet, step)
			case euStepHasReason(step):
				v.applicable++
			}
			continue
		}
		v.applicable++
		if !want && (!shown || r.Status != verify.StatusInvalid) {
			v.problems = append(v.problems, fmt.Sprintf("the EU expects %s to fail", step))
		}
	}
	sort.Strings(v.unmet)
	// A case that expects every step it states to succeed is a DCC the EU
	// accepts: it must be read as one, and refused only for a step it does
	// not state (the reasons above) or a check outside its procedure.
	allTrue := true
	for _, want := range c.Expected {
		allTrue = allTrue && want
	}
	if allTrue && len(codes) == 0 && (r.Status != verify.StatusValid || r.Document != verify.DocumentEUDCC) {
		v.problems = append(v.problems, fmt.Sprintf("the EU accepts it; here it is %s (%s)", r.Status, r.Document))
	}
	if allTrue && unjudged == 0 && outside > 0 {
		for _, code := range codes {
			if _, ok := euOutside[code]; ok {
				v.outside = append(v.outside, code)
			}
		}
	}
	return v
}

// euStepHasReason: some reason code claims this step failed.
func euStepHasReason(step string) bool {
	for _, steps := range euSteps {
		if slices.Contains(steps, step) {
			return true
		}
	}
	return false
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
