package policy

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"passport/credential"
	"passport/verify"
)

// DecisionCode is the top-line decision a person acts on. There are five
// codes in four states, checked in this order: do_not_accept; not_a_passport
// or cannot_read (neutral: nothing was judged); check_needed; accept.
type DecisionCode string

// The decisions, in the order Decide tests them.
const (
	DoNotAccept  DecisionCode = "do_not_accept"
	NotAPassport DecisionCode = "not_a_passport"
	CannotRead   DecisionCode = "cannot_read"
	CheckNeeded  DecisionCode = "check_needed"
	Accept       DecisionCode = "accept"
)

// Decision is what the station shows in large type, what `passport verify`
// prints first and what the log keeps: one code, a headline readable from a
// metre away, the reason in one short sentence, and what to do next. It
// never quotes the scanned text (a staff number or a wristband must not end
// up on screen or in the log as a "reason").
type Decision struct {
	Code     DecisionCode `json:"code"`
	Headline string       `json:"headline"`
	// Reason says why, in one sentence; for check_needed the first of Reasons.
	Reason string `json:"reason"`
	// Reasons lists, for check_needed, every item to check (policy rules not
	// met, an out-of-date trust list, items this verifier cannot read).
	Reasons []string `json:"reasons,omitempty"`
	// NextStep says what the person at the desk does now.
	NextStep string `json:"next_step"`
}

var headlines = map[DecisionCode]string{
	DoNotAccept: "DO NOT ACCEPT", NotAPassport: "NOT A PASSPORT", CannotRead: "CANNOT READ",
	CheckNeeded: "CHECK NEEDED", Accept: "ACCEPT",
}

// Headline is the words shown for a decision code.
func (c DecisionCode) Headline() string { return headlines[c] }

func decision(code DecisionCode, reason, next string) Decision {
	return Decision{Code: code, Headline: headlines[code], Reason: reason, NextStep: next}
}

// Next steps, shared by several reasons.
const (
	stepSecurity = "Do not let them work on this passport. Keep the paper and follow your site's security procedure for a forged document."
	stepIssuer   = "Do not accept it yet: call the issuing organisation's HR to confirm the person's employment, or ask your trust-list administrator whether this issuer should be trusted."
	stepNewOne   = "Ask the person for a current passport from their employer's HR."
	stepRescan   = "Scan it again, holding the paper flat and still. If it still fails, the print may be damaged: ask for a new print from their HR."
	stepNotOne   = "Scan the square code printed on the staff passport. Staff numbers, ID badges and wristbands cannot be checked here."
	stepUpdate   = "Ask IT to update this station's passport software, then scan again. Until then, confirm with the issuing organisation."
	stepStation  = "This station could not check the passport: tell IT. Until it is fixed, confirm with the issuing organisation."
	stepPolicy   = "Do not start them on shift yet: the items above must be sorted by their employer or your manager first."
	stepTrust    = "Ask your administrator to import the latest trust list. Until then, confirm with the issuing organisation before accepting."
	stepUnknown  = "Check the items above with the person's employer before accepting."
	stepHidden   = "Compare the name with photo ID letter by letter, and ask the issuer's HR to reissue the passport without them."
	stepAccept   = "Check photo ID: name and date of birth match."
	stepClock    = "Ask IT to set this computer's date and time, then scan again. Until then, confirm with the issuing organisation."
)

// invalidDecision maps one reason of an invalid or unreadable result.
// Codes not listed (including ones added later) are do_not_accept: an
// unknown failure is never treated as harmless.
func invalidDecision(code credential.Reason, r verify.Result) Decision {
	switch code {
	case verify.ReasonSignatureInvalid:
		return decision(DoNotAccept, "The signature does not match: the passport was altered or not made by its issuer.", stepSecurity)
	case verify.ReasonIssuerUnknown:
		return decision(DoNotAccept, "The issuer is not on this site's trust list.", stepIssuer)
	case verify.ReasonIssuerRevoked, verify.ReasonKeyNotValid:
		return decision(DoNotAccept, "The issuer's signing key was not valid for this passport.", stepSecurity)
	case verify.ReasonKeyNotForKind, verify.ReasonDCCTypeNotAllowed:
		return decision(DoNotAccept, "It was signed with a key this site trusts only for another kind of document.", stepSecurity)
	case verify.ReasonIssuerMismatch:
		return decision(DoNotAccept, "The passport names a different organisation from the one that signed it.", stepSecurity)
	case verify.ReasonExpired:
		return decision(DoNotAccept, "The passport has expired.", stepNewOne)
	case verify.ReasonNotYetValid:
		return decision(DoNotAccept, "The passport is not valid yet (or this computer's clock is wrong).", "Check this computer's date and time; if it is right, ask the person's HR why the passport is not valid yet.")
	case verify.ReasonRevoked:
		return revokedDecision(r)
	case credential.ReasonBadPrefix:
		if r.Status == verify.StatusUnreadable && len(r.Reasons) > 0 {
			// The station's summary of text with no passport code in it:
			// its message is a count, never the text.
			return decision(NotAPassport, r.Reasons[0].Message, stepNotOne)
		}
		return decision(NotAPassport, "This is not a staff passport code.", stepNotOne)
	case credential.ReasonBadEncoding, credential.ReasonBadCompression, credential.ReasonTooLarge, credential.ReasonBadCOSE:
		// A scanner or a camera has corrected damage to the print before
		// the text arrives: a whole code that fails a layer was altered.
		// Only a text that stops before its code does is a rescan.
		if incomplete(r, code) {
			return decision(CannotRead, "The code was cut off: only part of it arrived.", stepRescan)
		}
		return decision(DoNotAccept, "Altered: not a genuine passport.", stepSecurity)
	case credential.ReasonUpdateRequired:
		return decision(CheckNeeded, "This passport is newer than this station can read.", stepUpdate)
	case verify.ReasonTrustStore:
		return decision(CheckNeeded, "The station could not read its trust list.", stepStation)
	case verify.ReasonClockBehind:
		// Nothing was judged: the message is the verifier's, naming the
		// clock's time and the time the site has seen pass, never the scan.
		return decision(CheckNeeded, sentence(reasonMessage(r, code)), stepClock)
	case verify.ReasonNoBarcode:
		return decision(CannotRead, "No passport code was found.", "Scan the whole page flat in good light, or hold the code closer to the camera.")
	case verify.ReasonUnsupportedInput:
		return decision(NotAPassport, "This file is not a scan, a photo or a PDF.", "Open the scan or PDF of the staff passport instead.")
	case verify.ReasonInputTooLarge, verify.ReasonUnreadableInput:
		return decision(CannotRead, "The file could not be read.", "Scan the page again at 300 dpi or less, or use the camera.")
	}
	if r.Status == verify.StatusUnreadable {
		return decision(CannotRead, "No passport code could be read.", stepRescan)
	}
	return decision(DoNotAccept, "The passport failed a security check.", stepSecurity)
}

// reasonMessage is the message of r's first reason with code.
func reasonMessage(r verify.Result, code credential.Reason) string {
	for _, rs := range r.Reasons {
		if rs.Code == code {
			return rs.Message
		}
	}
	return ""
}

// incomplete reports whether the reason with code says the text stopped
// before the code did.
func incomplete(r verify.Result, code credential.Reason) bool {
	for _, rs := range r.Reasons {
		if rs.Code == code {
			return rs.Incomplete
		}
	}
	return false
}

// refusal is the decision on an invalid or unreadable result: the first
// reason that refuses the passport outright, whatever comes before it, so
// that a reason asking for a check (update_required, trust_store_error)
// never hides one that says DO NOT ACCEPT; else the first reason's.
func refusal(r verify.Result) Decision {
	if len(r.Reasons) == 0 {
		return invalidDecision("", r)
	}
	for _, rs := range r.Reasons {
		if d := invalidDecision(rs.Code, r); d.Code == DoNotAccept {
			return d
		}
	}
	return invalidDecision(r.Reasons[0].Code, r)
}

// Decide makes the one top-line decision for a verdict. Every front end
// shows this and nothing else as its headline: the station page, its JSON
// API, `passport verify` (text and --json) and the station's log. It is
// pure: the same verdict gives the same decision. Everything the verifier
// knows about its trust list (expired, unconfirmed, a clock behind it) is
// in the result it judges, so no front end decides with more or less.
func Decide(v Verdict) Decision {
	d := decide(v)
	if c := v.IssuerContact; c != "" && (d.Code == DoNotAccept || d.Code == CheckNeeded) {
		// The contact comes from the trust list for the signing key, never
		// from the passport, and was cleaned and bounded by the verifier.
		d.NextStep += " Issuer's contact: call " + strings.TrimRight(c, ". ") + "."
	}
	return d
}

func decide(v Verdict) Decision {
	r := v.Result
	if r.Status != verify.StatusValid {
		return refusal(r)
	}
	if r.Document == verify.DocumentEUDCC || r.DCC != nil || r.Parsed == nil {
		return decision(NotAPassport, "This is an EU Digital COVID Certificate, not a staff passport.", "Ask the person for their staff passport.")
	}
	var reasons []string
	next := ""
	add := func(step string, rs ...string) {
		reasons = append(reasons, rs...)
		if next == "" && len(rs) > 0 {
			next = step
		}
	}
	if v.Policy != nil && v.Policy.Status == NotMet {
		for _, q := range v.Policy.Requirements {
			if q.Status == NotMet {
				name := q.Name
				if q.Group != "" {
					name += " (required for staff group " + q.Group + ")"
				}
				add(stepPolicy, fmt.Sprintf("%s: %s", name, sentence(q.Reason)))
			}
		}
	}
	if r.TrustList != nil && r.TrustList.Expired {
		add(stepTrust, "This site's trust list expired"+onDay(r.TrustList.Expires)+": withdrawn passports since then are not known.")
	}
	for _, w := range r.Warnings {
		switch {
		case w.Code == verify.WarnTrustListUnconfirmed:
			add(stepTrust, sentence(w.Message))
		case w.Code == verify.WarnHiddenCharacters:
			add(stepHidden, "The name or details hold hidden or direction-changing characters (shown as ⟦U+…⟧).")
		case w.Code == credential.WarnNotRecognised:
			add(stepUpdate, "Some items are from a newer passport format and cannot be checked here.")
		case w.Code == verify.WarnLapsed && v.Policy == nil:
			// Without a site policy nobody has said which items matter, so
			// a lapsed one is for the person to judge.
			add(stepUnknown, sentence(w.Message))
		}
	}
	if len(reasons) > 0 {
		d := decision(CheckNeeded, reasons[0], next)
		d.Reasons = reasons
		return d
	}
	why := "Genuine passport"
	if r.IssuerName != "" {
		why += " from " + r.IssuerName
	}
	if v.Policy != nil {
		why += ", meets the site policy"
	}
	return decision(Accept, why+".", stepAccept)
}

func onDay(iso string) string {
	t, err := time.Parse(time.RFC3339, iso)
	if err != nil {
		return ""
	}
	return " on " + t.Format("2 Jan 2006")
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// revokedDecision says why a revoked passport is refused, from the reason
// the trust list gives: a superseded sheet is routine (the person has a
// newer one), the others need a call to the issuer.
func revokedDecision(r verify.Result) Decision {
	why := ""
	for _, rs := range r.Reasons {
		if rs.Code == verify.ReasonRevoked {
			why = rs.RevocationReason
		}
	}
	switch why {
	case "superseded":
		return decision(DoNotAccept, "This passport was replaced by a newer one.", "Ask the person for their newest passport; only the newest one is valid.")
	case "lost":
		return decision(DoNotAccept, "This passport was reported lost.", "Do not accept it. Call the issuing organisation's HR to confirm who the person is and get a replacement issued.")
	case "left_employment":
		return decision(DoNotAccept, "The person has left the organisation that issued this passport.", "Do not accept it. Ask for a passport from their current employer.")
	}
	return decision(DoNotAccept, "The issuer has withdrawn (revoked) this passport.", "Do not accept it. Call the issuing organisation's HR: the person may have a newer passport, or may have left.")
}
