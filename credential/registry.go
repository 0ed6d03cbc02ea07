package credential

//go:generate go run ../internal/regdoc/cmd -root ..

// The registry: every enumeration the passport carries and every reason
// code a verifier gives, each with its stable code, a label for people and
// a line of documentation. docs/format.md and the README's CSV table are
// generated from it (go generate ./credential); a test fails when they
// drift. Adding a check type or a training subject is one entry here plus
// its label. Wire numbers (ID) are never reused or renumbered: a passport
// printed today is read by verifiers for years.

// Def is one enumerated value.
type Def struct {
	ID    int    // number on the wire
	Code  string // stable machine name (CSV, JSON, policy)
	Label string // for people
	Doc   string // for docs/format.md
}

// LevelDef is one level, tier or kind of a check type or training
// subject. Within one list, a higher ID is a higher level (Safeguarding
// Children level 3 includes level 2); for kinds without an order (DBS
// levels, occupational health clearances) policies list the accepted codes.
type LevelDef struct {
	ID    int
	Code  string
	Label string
}

// CheckDef is a check type and the levels (or kinds) it may carry.
type CheckDef struct {
	Def
	LevelName     string // CSV column suffix and label, e.g. "level" or "clearance"; empty if none
	LevelRequired bool   // the issuer must give a level with the check (DBS)
	Levels        []LevelDef
	Since         int // body version that introduced it
}

// SubjectDef is a training subject with its levels and default refresher period.
type SubjectDef struct {
	Def
	RefresherYears int // used when the HR record gives no expiry
	LevelName      string
	Levels         []LevelDef
	Since          int
}

// ReasonDef documents a reason or warning code.
type ReasonDef struct {
	Code    Reason
	Layer   string
	Warning bool // shown beside the verdict without changing it
	Doc     string
}

var dbsLevels = []LevelDef{
	{1, "basic", "Basic"},
	{2, "standard", "Standard"},
	{3, "enhanced", "Enhanced, without a barred list check"},
	{4, "enhanced_barred_adults", "Enhanced with adults' barred list"},
	{5, "enhanced_barred_children", "Enhanced with children's barred list"},
	{6, "enhanced_barred", "Enhanced with adults' and children's barred lists"},
}

var ohClearances = []LevelDef{
	{1, "standard", "Standard clearance"},
	{2, "epp", "Cleared for exposure-prone procedures (EPP)"},
	{3, "restricted", "Cleared with restrictions on duties"},
}

func levels(word string, n int) []LevelDef {
	out := make([]LevelDef, n)
	for i := range out {
		out[i] = LevelDef{i + 1, word + "_" + string(rune('1'+i)), map[string]string{"level": "Level", "tier": "Tier"}[word] + " " + string(rune('1'+i))}
	}
	return out
}

var checkDefs = []CheckDef{
	{Def: Def{1, "identity", "Identity", "identity documents seen and verified"}, Since: 1},
	{Def: Def{2, "right_to_work", "Right to work", "right to work in the UK confirmed; expires with a time-limited visa"}, Since: 1},
	{Def: Def{3, "dbs", "DBS", "Disclosure and Barring Service certificate"}, LevelName: "level", LevelRequired: true, Levels: dbsLevels, Since: 1},
	{Def: Def{4, "occupational_health", "Occupational health", "occupational health clearance"}, LevelName: "clearance", Levels: ohClearances, Since: 1},
	{Def: Def{5, "references", "References", "employment references received"}, Since: 1},
	{Def: Def{6, "professional_registration", "Professional registration", "registration with the professional regulator (NMC, GMC, HCPC, ...) confirmed"}, Since: 1},
}

var subjectDefs = []SubjectDef{
	{Def: Def{1, "equality_diversity", "Equality, diversity and human rights", "CSTF"}, RefresherYears: 3, Since: 1},
	{Def: Def{2, "health_safety", "Health, safety and welfare", "CSTF"}, RefresherYears: 3, Since: 1},
	{Def: Def{3, "conflict_resolution", "Conflict resolution", "CSTF"}, RefresherYears: 3, Since: 1},
	{Def: Def{4, "fire_safety", "Fire safety", "CSTF"}, RefresherYears: 1, Since: 1},
	{Def: Def{5, "infection_prevention", "Infection prevention and control", "CSTF, levels 1-2"}, RefresherYears: 1, LevelName: "level", Levels: levels("level", 2), Since: 1},
	{Def: Def{6, "moving_handling", "Moving and handling", "CSTF, levels 1-2"}, RefresherYears: 2, LevelName: "level", Levels: levels("level", 2), Since: 1},
	{Def: Def{7, "safeguarding_adults", "Safeguarding adults", "CSTF, levels 1-3"}, RefresherYears: 3, LevelName: "level", Levels: levels("level", 3), Since: 1},
	{Def: Def{8, "safeguarding_children", "Safeguarding children", "CSTF, levels 1-3"}, RefresherYears: 3, LevelName: "level", Levels: levels("level", 3), Since: 1},
	{Def: Def{9, "preventing_radicalisation", "Preventing radicalisation", "CSTF (Prevent)"}, RefresherYears: 3, Since: 1},
	{Def: Def{10, "resuscitation", "Resuscitation", "CSTF, levels 1-3"}, RefresherYears: 1, LevelName: "level", Levels: levels("level", 3), Since: 1},
	{Def: Def{11, "information_governance", "Information governance and data security", "CSTF"}, RefresherYears: 1, Since: 1},
	{Def: Def{12, "learning_disability_autism", "Learning disability and autism (Oliver McGowan)", "Oliver McGowan Mandatory Training, tiers 1-2; required for CQC-registered providers (Health and Care Act 2022)"}, RefresherYears: 3, LevelName: "tier", Levels: levels("tier", 2), Since: 2},
}

var outcomeDefs = []Def{
	{1, "clear", "Clear", "passed, cleared or verified"},
	{2, "conditions", "Cleared with conditions", "cleared with conditions or adjustments"},
}

// revocationDefs are the reasons a revocation entry of a trust-list bundle
// may carry (docs/format.md, "Trust-list bundles"). The verdict's code
// stays `revoked`; the reason tells the receptionist what happened.
var revocationDefs = []Def{
	{1, "superseded", "Replaced by a newer passport", "the holder was issued a newer passport (a check or training changed, or a sheet was lost); from = when the newer one was issued. Set by `passport issue` itself"},
	{2, "left_employment", "Left employment", "the holder left the issuing organisation"},
	{3, "lost", "Reported lost or stolen", "the sheet was reported lost or stolen"},
	{4, "withdrawn_for_cause", "Withdrawn for cause", "withdrawn by the issuer for cause (a check no longer holds, a suspension, an error in the passport)"},
}

// RevocationReasonDefs lists the revocation reasons of trust-list bundles.
func RevocationReasonDefs() []Def { return revocationDefs }

// RevocationReason returns the revocation reason with wire number id.
func RevocationReason(id int) (Def, bool) {
	for _, d := range revocationDefs {
		if d.ID == id {
			return d, true
		}
	}
	return Def{}, false
}

// ParseRevocationReason reads a revocation reason code as people type it
// ("left employment", "Withdrawn-for-cause"), normalised as NormalizeCode does.
func ParseRevocationReason(code string) (Def, error) {
	n := NormalizeCode(code)
	for _, d := range revocationDefs {
		if d.Code == n {
			return d, nil
		}
	}
	codes := make([]string, len(revocationDefs))
	for i, d := range revocationDefs {
		codes[i] = d.Code
	}
	return Def{}, errorf("unknown revocation reason %q (use one of %v)", code, codes)
}

// reasonDefs lists every reason and warning code, in the order a verifier
// meets them, then the station's status warnings. Every constant of type
// Reason in the module must be here (TestEveryReasonInRegistry reads the
// source to check).
var reasonDefs = []ReasonDef{
	{ReasonBadPrefix, "prefix", false, "the text does not start with `SP1:` (or `HC1:`)"},
	{ReasonBadEncoding, "base45", false, "not valid base45"},
	{ReasonBadCompression, "zlib", false, "not a valid zlib stream (not zlib, truncated, bad checksum, or, for `SP1:`, bytes after the stream)"},
	{ReasonTooLarge, "limits", false, "over a size limit (§2): text, inflated size, string length"},
	{ReasonBadCOSE, "COSE", false, "not a COSE_Sign1 message (wrong structure, tag, trailing bytes, no payload, or, for `SP1:`, a non-empty unprotected header)"},
	{ReasonUnsupportedAlg, "header", false, "no protected `alg`, or an `alg` that is not the trusted key's algorithm"},
	{ReasonMissingKID, "header", false, "no `kid` in either header"},
	{"issuer_unknown", "trust", false, "no trusted key has this `kid`"},
	{"signature_invalid", "signature", false, "the signature does not verify under the key the `kid` names"},
	{ReasonBadClaims, "claims", false, "claims missing, malformed, non-deterministic, not a passport (HC1), dates out of order (`exp` not after `iat` or `nbf`), a version-1 body with a code or level only version 2 defines (or an unknown level text), or a check or training date after `iat` (§1.8)"},
	{ReasonUpdateRequired, "claims", false, "the passport marks as must-understand (body key 5, crit) a field this verifier does not know: update the verifier; the passport is not forged or damaged"},
	{"key_not_for_this_kind", "trust", false, "the signing key is trusted for the other kind of document: a staff-passport key under an `HC1:` EU DCC, or a DCC signer key under an `SP1:` passport"},
	{"dcc_type_not_allowed", "trust", false, "an `HC1:` EU DCC holds a vaccination, test or recovery entry its signer may not sign: the signer certificate's extended key usage lists the EU's DCC type OIDs and not this one's"},
	{"issuer_revoked", "trust", false, "the signing key is revoked for credentials issued at this `iat`"},
	{"key_not_valid_at_issue", "trust", false, "`iat` is outside the signing key's validity window"},
	{"issuer_mismatch", "claims", false, "`iss` is not the signing key's org code, or the employer org code (empty included) is not `iss`; for a DCC, `iss` is not the signing key's country"},
	{"not_yet_valid", "dates", false, "now + skew is before `nbf`, or before `iat` (issued in the future)"},
	{"expired", "dates", false, "now − skew is after `exp`"},
	{"revoked", "revocation", false, "the credential id (cti) is on the site's revocation list, and now is at or after the time the revocation applies from; the entry's `revocation_reason` and `revoked_from` say why and since when (§3.1)"},
	{"trust_store_error", "trust", false, "the local trust list could not be read"},
	{"clock_behind", "dates", false, "the verifier's clock is behind a time the site has already seen pass (the trust list's or its freshness statement's issue time, the newest logged check) by more than the skew: no date can be judged, so nothing is (CHECK NEEDED): set the clock"},
	{"not_checked", "verifier", false, "the verifier did not complete one of its checks and found no other fault: a defect of the verifier, never an acceptance"},
	{"no_barcode", "input", false, "no barcode found in the image or PDF, or an empty text"},
	{"input_too_large", "input", false, "the file or image is too large to read safely"},
	{"unsupported_input", "input", false, "not an image, PDF or text"},
	{"unreadable_input", "input", false, "the file could not be read"},
	{"trust_list_expired", "trust", true, "the site's trust list is past its expiry: import a newer bundle (revocations since then are unknown)"},
	{"trust_list_unconfirmed", "trust", true, "the list in force names a timestamp key and nothing signed confirms it is still the newest (past its confirmed-until time): a revocation may be missing, so the decision is CHECK NEEDED, never ACCEPT"},
	{"lapsed", "dates", true, "a check or training subject is past its own expiry date (the passport itself is still valid)"},
	{WarnNotRecognised, "claims", true, "the passport holds items from a newer format version (a check type, subject, level, outcome or field) that this verifier shows by their raw code and never counts as met by a site policy: update the verifier"},
	{"multiple_credentials", "input", true, "one input held more than one credential"},
	{"trust_sync_failed", "station", true, "in the station's status (`/api/status`), not a verdict: the latest background trust-list sync failed; the list in force still verifies until it goes stale"},
	{"log_prune_failed", "station", true, "in the station's status (`/api/status`), not a verdict: the verification log's periodic prune fails, so rows past the retention period are still kept"},
	{"trust_list_expiring", "station", true, "in the station's status (`/api/status`), not a verdict: the trust list in force expires within 7 days; import or sync a newer one before it does"},
	{"policy_not_reloaded", "station", true, "in the station's status (`/api/status`), not a verdict: the trust list now in force no longer holds the site policy the station was started with (`--policy-name`), or holds a version this verifier cannot read: the station goes on applying the version it last read; ask the authority, or restart with another policy"},
	{"log_unreadable", "station", true, "in the station's status (`/api/status`), not a verdict: the verification log could not be read (today's count and its head hash are unknown): check the site database file"},
	{"hidden_characters", "claims", true, "text a person reads (name, role, organisation, numbers) holds characters that are invisible, blank or reverse the text around them: every front end shows each as a visible marker such as ⟦U+202E⟧, and the decision is CHECK NEEDED, never ACCEPT"},
}

// CheckDefs lists every check type in display order.
func CheckDefs() []CheckDef { return checkDefs }

// SubjectDefs lists every training subject in display order.
func SubjectDefs() []SubjectDef { return subjectDefs }

// OutcomeDefs lists every check outcome.
func OutcomeDefs() []Def { return outcomeDefs }

// ReasonDefs lists every reason and warning code.
func ReasonDefs() []ReasonDef { return reasonDefs }

// LookupReason returns the registry entry of a code.
func LookupReason(code Reason) (ReasonDef, bool) {
	for _, r := range reasonDefs {
		if r.Code == code {
			return r, true
		}
	}
	return ReasonDef{}, false
}

func checkDef(t CheckType) (*CheckDef, bool) {
	for i := range checkDefs {
		if checkDefs[i].ID == int(t) {
			return &checkDefs[i], true
		}
	}
	return nil, false
}

func subjectDef(s Subject) (*SubjectDef, bool) {
	for i := range subjectDefs {
		if subjectDefs[i].ID == int(s) {
			return &subjectDefs[i], true
		}
	}
	return nil, false
}

func findLevel(list []LevelDef, code string) (LevelDef, bool) {
	n := NormalizeCode(code)
	for _, l := range list {
		if l.Code == n {
			return l, true
		}
	}
	return LevelDef{}, false
}

func levelByID(list []LevelDef, id int) (LevelDef, bool) {
	for _, l := range list {
		if l.ID == id {
			return l, true
		}
	}
	return LevelDef{}, false
}

// Levels lists the levels (or kinds) a check type may carry; nil if none.
func (t CheckType) Levels() []LevelDef {
	if d, ok := checkDef(t); ok {
		return d.Levels
	}
	return nil
}

// LevelName is the word for the check type's levels ("level", "clearance"), or "".
func (t CheckType) LevelName() string {
	if d, ok := checkDef(t); ok {
		return d.LevelName
	}
	return ""
}

// Levels lists the levels (or tiers) of a training subject; nil if none.
func (s Subject) Levels() []LevelDef {
	if d, ok := subjectDef(s); ok {
		return d.Levels
	}
	return nil
}

// LevelName is the word for the subject's levels ("level", "tier"), or "".
func (s Subject) LevelName() string {
	if d, ok := subjectDef(s); ok {
		return d.LevelName
	}
	return ""
}

// RefresherYears is the subject's default refresher period, 0 if unknown.
func (s Subject) RefresherYears() int {
	if d, ok := subjectDef(s); ok {
		return d.RefresherYears
	}
	return 0
}

// ParseCheckLevel reads a level code for a check type (e.g. "enhanced
// barred" for DBS), normalised as NormalizeCode does.
func ParseCheckLevel(t CheckType, code string) (LevelDef, error) {
	if l, ok := findLevel(t.Levels(), code); ok {
		return l, nil
	}
	return LevelDef{}, levelError(t.String(), code, t.Levels())
}

// ParseSubjectLevel reads a level code for a subject; "3", "level 3" and
// "level_3" are the same level.
func ParseSubjectLevel(s Subject, code string) (LevelDef, error) {
	n := NormalizeCode(code)
	if n != "" && n[0] >= '0' && n[0] <= '9' && s.LevelName() != "" {
		n = s.LevelName() + "_" + n
	}
	if l, ok := findLevel(s.Levels(), n); ok {
		return l, nil
	}
	return LevelDef{}, levelError(s.String(), code, s.Levels())
}

func levelError(what, code string, list []LevelDef) error {
	if len(list) == 0 {
		return errorf("%s has no levels (got %q)", what, code)
	}
	codes := make([]string, len(list))
	for i, l := range list {
		codes[i] = l.Code
	}
	return errorf("unknown level %q for %s (use one of %v)", code, what, codes)
}

// LevelColumn is the HR CSV column of the check type's level ("dbs_level",
// "occupational_health_clearance"), or "" when it has none.
func (t CheckType) LevelColumn() string {
	if n := t.LevelName(); n != "" {
		return t.Code() + "_" + n
	}
	return ""
}

// LevelColumn is the HR CSV column of the subject's level
// ("safeguarding_children_level", "learning_disability_autism_tier"), or "".
func (s Subject) LevelColumn() string {
	if n := s.LevelName(); n != "" {
		return s.Code() + "_" + n
	}
	return ""
}
