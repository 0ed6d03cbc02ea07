// Package verify judges credential texts (read from a barcode or typed by a
// USB scanner) into verdicts: VALID, or INVALID with every reason. Trust
// comes only from the local trust store; nothing here opens a network
// connection, and nothing here reads images or PDFs: package read, above
// this one, turns inputs into texts (an input with no text is an
// Unreadable result, CANNOT READ).
//
// A Verifier is built once (NewVerifier) with its trust store, clock
// (WithClock, the one way to set the time) and skew; VerifyText and
// VerifyTexts return typed Results whose Parsed field holds the
// credential's claims. The JSON view (Result.Claims) is rendered from them
// and is never read back; the site policy (package policy) reads Parsed.
//
// To add a check: put it in Verifier.text (verify.go) with a reason code
// declared below, give it a step in judge.go that it records when it
// passes (a verdict is valid only when every step passed), and add a
// vector under fixtures/vectors (docs/architecture.md).
//
// Import rules: verify imports credential and trust among the project's
// packages; never read, verify/scan, keys, issue, sitedb, policy or station.
package verify

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"passport/credential"
	"passport/trust"
)

// Status is the verdict on one credential.
type Status string

const (
	StatusValid      Status = "valid"      // genuine, trusted, in date, not revoked
	StatusInvalid    Status = "invalid"    // a code was read but must not be accepted
	StatusUnreadable Status = "unreadable" // no code or text could be read at all
)

// Reason codes added by the verifier to those of credential decoding.
const (
	ReasonSignatureInvalid credential.Reason = "signature_invalid"
	ReasonIssuerUnknown    credential.Reason = "issuer_unknown"
	ReasonIssuerRevoked    credential.Reason = "issuer_revoked"
	ReasonIssuerMismatch   credential.Reason = "issuer_mismatch"
	ReasonKeyNotValid      credential.Reason = "key_not_valid_at_issue"
	ReasonExpired          credential.Reason = "expired"
	ReasonNotYetValid      credential.Reason = "not_yet_valid"
	ReasonRevoked          credential.Reason = "revoked"
	ReasonTrustStore       credential.Reason = "trust_store_error"
	// ReasonNotChecked: the verifier did not record one of its checks as
	// passed and found no other fault, a defect of the verifier that must
	// never become an acceptance (judge.go).
	ReasonNotChecked credential.Reason = "not_checked"
	// ReasonKeyNotForKind: the signing key is trusted, but for the other
	// kind of credential (a staff-passport key under an EU DCC, or a DCC
	// signer under a staff passport).
	ReasonKeyNotForKind credential.Reason = "key_not_for_this_kind"
	// ReasonDCCTypeNotAllowed: an EU DCC holds an entry of a type
	// (vaccination, test, recovery) its signer's certificate does not
	// allow (its extended key usage, trust.DCCTypesOf).
	ReasonDCCTypeNotAllowed credential.Reason = "dcc_type_not_allowed"
	ReasonNoBarcode         credential.Reason = "no_barcode"
	ReasonInputTooLarge     credential.Reason = "input_too_large"
	ReasonUnsupportedInput  credential.Reason = "unsupported_input"
	ReasonUnreadableInput   credential.Reason = "unreadable_input"

	// Warnings: shown with the verdict, they do not make it invalid.
	WarnTrustListExpired credential.Reason = "trust_list_expired"
	WarnLapsed           credential.Reason = "lapsed"
	WarnMultipleCodes    credential.Reason = "multiple_credentials"
)

// Document says what kind of credential was read.
type Document string

// Kinds of document.
const (
	DocumentStaffPassport Document = "staff_passport" // SP1:, this project's staff passport
	DocumentEUDCC         Document = "eu_dcc"         // HC1:, an EU Digital COVID Certificate: never a staff passport
)

// Reason is one reason code with its plain-English message.
type Reason struct {
	Code    credential.Reason `json:"code"`
	Message string            `json:"message"`
	// RevocationReason and RevokedFrom detail a `revoked` reason when the
	// trust list gives them: a registry code ("superseded",
	// "left_employment", "lost", "withdrawn_for_cause") and the RFC 3339
	// time the revocation applies from.
	RevocationReason string `json:"revocation_reason,omitempty"`
	RevokedFrom      string `json:"revoked_from,omitempty"`
	// Incomplete marks a reason given because the text stopped before the
	// code did (a cut-off scan): reading it again may succeed. Any other
	// failure to decode a whole code means it was altered.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Result is the verdict on one credential found in one input.
type Result struct {
	Input  string `json:"input"`
	Status Status `json:"status"`
	// Document is what was read, once the credential text could be
	// decoded: "staff_passport" or "eu_dcc". Only a staff passport can
	// meet a site policy.
	Document     Document `json:"document,omitempty"`
	Reasons      []Reason `json:"reasons"`
	Warnings     []Reason `json:"warnings,omitempty"`
	CredentialID string   `json:"credential_id,omitempty"`
	Issuer       string   `json:"issuer,omitempty"`
	IssuerName   string   `json:"issuer_name,omitempty"`
	// IssuerContact is who to call about the issuer's passports, as the
	// trust list gives it for the signing key (never from the passport).
	IssuerContact string       `json:"issuer_contact,omitempty"`
	KeyID         string       `json:"kid,omitempty"`
	Subject       string       `json:"subject,omitempty"`
	Claims        *ClaimsView  `json:"claims,omitempty"`
	DCC           *DCCView     `json:"dcc,omitempty"` // set for an EU Digital COVID Certificate (HC1:)
	TrustList     *TrustListID `json:"trust_list,omitempty"`

	// Parsed is the decoded credential, typed: what the policy and any
	// renderer read (Claims is the JSON view made from it, never read back).
	// It is set only when the claims could be parsed.
	Parsed *credential.Claims `json:"-"`
	// VerifiedAt is the time the verdict was reached at (the Verifier's
	// clock), so a later step such as the site policy judges the same day.
	VerifiedAt time.Time `json:"-"`
}

// TrustListID says which trust list the verdict was reached with.
type TrustListID struct {
	Version int64  `json:"version"`
	Issued  string `json:"issued,omitempty"`
	Expires string `json:"expires,omitempty"`
	Expired bool   `json:"expired"`
}

// DefaultSkew allows for a verifier PC whose clock is a little off.
const DefaultSkew = 5 * time.Minute

// fail adds a reason. It does not set the status: judged.finish does,
// from every check that ran.
func (r *Result) fail(code credential.Reason, format string, a ...any) {
	r.Reasons = append(r.Reasons, Reason{Code: code, Message: fmt.Sprintf(format, a...)})
}

func (r *Result) warn(code credential.Reason, format string, a ...any) {
	r.Warnings = append(r.Warnings, Reason{Code: code, Message: fmt.Sprintf(format, a...)})
}

// text judges one credential text, hard failures first: the trust list,
// the envelope (prefix to COSE), the key, the signature and the key's
// kind; then the fixed top-level claims (issuer against the key, the key's
// status at iat, the dates, the credential's revocation); then the body.
// A body this verifier cannot read (update_required) adds its reason but
// never hides a hard failure found before it.
//
// Every read of the trust store goes through one snapshot (trust.Snapshot),
// so the list version reported is the one whose keys and revocations were
// applied, whatever another process imports meanwhile.
func (v *Verifier) text(input, text string, now time.Time, clock *clockCheck) Result {
	j := judged{r: Result{Input: input, Reasons: []Reason{}, VerifiedAt: now}}
	r := &j.r
	if clock != nil {
		// A clock behind what the site has seen makes every date check
		// meaningless: nothing is judged.
		r.fail(clock.code, "%s", clock.msg)
		return j.finish()
	}
	store, release, err := trust.Snapshot(v.store)
	defer release()
	if err != nil {
		r.fail(ReasonTrustStore, "the trust list could not be read (%v): repair or re-import it with `passport trust`", err)
		return j.finish()
	}
	if !r.noteTrustList(store, now) {
		return j.finish()
	}
	j.pass(stepTrustList)

	signed, err := credential.Decode(credential.Normalize(text))
	if err != nil {
		r.failDecode(err)
		return j.finish()
	}
	prof, ok := profiles[signed.Prefix]
	if !ok {
		r.fail(credential.ReasonBadPrefix, "%q is not a kind of document this verifier reads", signed.Prefix)
		return j.finish()
	}
	j.pass(stepEnvelope)
	r.Document = prof.document
	r.KeyID = hex.EncodeToString(signed.KID)
	key, err := store.Key(signed.KID)
	if errors.Is(err, trust.ErrUnknownKey) {
		r.fail(ReasonIssuerUnknown, "the issuer's key (kid %s) is not in this site's trust list: the passport may come from an organisation you do not trust yet, or be forged", r.KeyID)
		return j.finish()
	} else if err != nil {
		r.fail(ReasonTrustStore, "the trust list could not be read: %v", err)
		return j.finish()
	}
	j.pass(stepKey)
	r.Issuer, r.IssuerName = key.OrgCode, key.OrgName
	r.IssuerContact = trust.SafeText(key.Contact, trust.MaxIssuerContactLen)
	if err := signed.Verify(key.PublicKey); err != nil {
		if credential.ReasonOf(err) == credential.ReasonUnsupportedAlg {
			r.fail(credential.ReasonUnsupportedAlg, "%v", err)
		} else {
			r.fail(ReasonSignatureInvalid, "altered: not a genuine passport. The signature does not match: the passport has been altered or was not signed by %s", orgLabel(key))
		}
		return j.finish()
	}
	j.pass(stepSignature)
	if !r.checkKind(key, prof) {
		return j.finish()
	}
	j.pass(stepKind)
	prof.judge(v, &j, signed, key, store, now)
	return j.finish()
}

// staffPassport judges the claims of an SP1 passport whose signature has
// been checked: the fixed top-level claims first, then the body.
func (v *Verifier) staffPassport(j *judged, signed *credential.Signed, key *trust.TrustedKey, store trust.TrustStore, now time.Time) {
	r := &j.r
	c, bodyErr := signed.StagedClaims()
	if c == nil {
		r.fail(credential.ReasonOf(bodyErr), "%s", claimsMessage(bodyErr))
		return
	}
	j.pass(stepClaims)
	r.CredentialID = c.IDString()
	if r.Issuer == "" {
		r.Issuer = c.Issuer
	}
	if key.OrgCode == "" || c.Issuer == key.OrgCode {
		j.pass(stepIssuer)
	} else {
		r.fail(ReasonIssuerMismatch, "the passport says it was issued by %q but was signed with the key of %s", c.Issuer, orgLabel(key))
	}
	if r.checkKey(key, c.IssuedAt) {
		j.pass(stepKeyWindow)
	}
	skew := v.skew
	switch {
	case now.Add(skew).Before(c.NotBefore):
		r.fail(ReasonNotYetValid, "the passport is not valid until %s", human(c.NotBefore))
	case now.Add(skew).Before(c.IssuedAt):
		r.fail(ReasonNotYetValid, "the passport says it was issued in the future (%s): check this computer's clock", human(c.IssuedAt))
	case now.Add(-skew).After(c.Expires):
		r.fail(ReasonExpired, "the passport expired on %s", human(c.Expires))
	default:
		j.pass(stepTimes)
	}
	if n := len(r.Reasons); r.checkRevoked(store, c.ID, "this passport ("+r.CredentialID+")", now) && len(r.Reasons) == n {
		j.pass(stepRevocation)
	}

	// The body, last: what it says matters only for a credential that
	// passed everything above, and a body this verifier cannot read must
	// not hide any of it.
	if bodyErr != nil {
		r.fail(credential.ReasonOf(bodyErr), "%s", claimsMessage(bodyErr))
		return
	}
	r.Parsed = c
	r.Subject = c.Body.Person.Name
	r.Claims = viewOf(c, credential.DateOf(now))
	body := true
	// The employer must be the signer: an empty code would otherwise let
	// an issuer vouch for staff under another organisation's name.
	if c.Body.Employment.OrgCode != c.Issuer {
		body = false
		r.fail(ReasonIssuerMismatch, "the employing organisation %q is not the issuer %q: an organisation may only issue passports for its own staff", c.Body.Employment.OrgCode, c.Issuer)
	}
	if msg := implausibleDate(c, skew); msg != "" {
		body = false
		r.fail(credential.ReasonBadClaims, "%s", msg)
	}
	if body {
		j.pass(stepBody)
	}
	r.noteUnrecognised(c)
	for _, l := range lapsed(c, credential.DateOf(now)) {
		r.warn(WarnLapsed, "%s", l)
	}
}

// checkKey applies the trusted key's status and validity window to the
// credential's issue time; it reports whether the key was good at it.
func (r *Result) checkKey(key *trust.TrustedKey, iat time.Time) bool {
	err := key.CheckIssuedAt(iat)
	switch {
	case err == nil:
		return true
	case errors.Is(err, trust.ErrKeyRevoked) && key.RevokedFrom.IsZero():
		r.fail(ReasonIssuerRevoked, "the issuer's key has been revoked: no passport signed with it can be accepted")
	case errors.Is(err, trust.ErrKeyRevoked):
		r.fail(ReasonIssuerRevoked, "the issuer's key was revoked from %s and this passport was issued on %s", human(key.RevokedFrom), human(iat))
	case errors.Is(err, trust.ErrKeyNotYetValid):
		r.fail(ReasonKeyNotValid, "the passport was issued on %s, before the issuer's key became valid (%s)", human(iat), human(key.ValidFrom))
	default:
		r.fail(ReasonKeyNotValid, "the passport was issued on %s, after the issuer's key stopped being valid (%s)", human(iat), human(key.ValidUntil))
	}
	return false
}

// checkKind refuses a credential signed by a key trusted for the other
// kind of document; it reports whether the result may go on.
func (r *Result) checkKind(key *trust.TrustedKey, prof profile) bool {
	want := prof.kind
	if key.KindOf() == want {
		return true
	}
	if want == trust.KindDCC {
		r.fail(ReasonKeyNotForKind, "this is an EU Digital COVID Certificate, but it was signed with the staff-passport key of %s, which this site trusts only for staff passports", orgLabel(key))
	} else {
		r.fail(ReasonKeyNotForKind, "this is a staff passport, but it was signed with the EU DCC signer key of %s (%s), which this site trusts only for EU Digital COVID Certificates", orgLabel(key), key.Country)
	}
	return false
}

// noteTrustList records the trust list the verdict is reached with, and
// warns when it has expired. A trust list that cannot be read makes the
// verdict invalid (trust_store_error): without it, neither revocations nor
// the list's expiry are known. It reports whether verification may go on.
func (r *Result) noteTrustList(store trust.TrustStore, now time.Time) bool {
	info, err := store.Info()
	if err != nil {
		r.fail(ReasonTrustStore, "the trust list could not be read (%v): repair or re-import it with `passport trust`", err)
		return false
	}
	if info.Version == 0 && info.Expires.IsZero() {
		return true
	}
	r.TrustList = &TrustListID{Version: info.Version}
	if !info.Issued.IsZero() {
		r.TrustList.Issued = info.Issued.UTC().Format(time.RFC3339)
	}
	if !info.Expires.IsZero() {
		r.TrustList.Expires = info.Expires.UTC().Format(time.RFC3339)
		if now.After(info.Expires) {
			r.TrustList.Expired = true
			r.warn(WarnTrustListExpired, "this site's trust list expired on %s: import the latest trust-list bundle (revocations since then are not known)", human(info.Expires))
		}
	}
	if w := UnconfirmedWarning(info, now); w != nil {
		r.Warnings = append(r.Warnings, *w)
	}
	return true
}

func orgLabel(k *trust.TrustedKey) string {
	switch {
	case k.OrgName != "" && k.OrgCode != "":
		return fmt.Sprintf("%s (%s)", k.OrgName, k.OrgCode)
	case k.OrgName != "":
		return k.OrgName
	default:
		return k.OrgCode
	}
}

func human(t time.Time) string { return t.UTC().Format("02 Jan 2006 15:04 UTC") }

func decodeMessage(err error) string {
	var e *credential.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
