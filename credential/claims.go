// Package credential defines the staff passport claims and the wire codec:
// CBOR claims (CWT, RFC 8392) in a COSE_Sign1 (RFC 9052), zlib-compressed,
// base45-encoded (RFC 9285) and prefixed with "SP1:". It is pure: no I/O,
// no images, no trust decisions. See docs/format.md.
//
// Where things live:
//   - registry.go: every enumeration (check types, outcomes, levels,
//     training subjects with refresher periods) and every reason code.
//     Adding a check type or subject is one entry there plus its label;
//     go generate ./credential then rewrites the doc tables.
//   - claims.go: the typed claims; Known() on checks and training says
//     whether this version understands an item of a newer passport.
//   - cwt.go: body versions 1 (closed) and 2+ (forward-compatible, with the
//     must-understand list crit); the wire structs are in internal/wire.
//   - codec.go: the layers below the claims; limits.go: every size limit.
package credential

import (
	"fmt"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// SchemaVersion is the version of the passport body this package writes
// and the newest it fully understands. It reads every version from 1 on:
// version 1 strictly, version 2 and later forward-compatibly (docs/format.md
// §7, "Versions").
const SchemaVersion = 2

// Claims are the CWT claims of one staff passport.
type Claims struct {
	Issuer    string    // iss (1): issuing organisation code, e.g. "RHQ"
	Expires   time.Time // exp (4): end of the passport's validity
	NotBefore time.Time // nbf (5): start of the passport's validity
	IssuedAt  time.Time // iat (6): when it was signed
	ID        []byte    // cti (7): 16 random bytes, the credential id used for revocation
	Body      Body      // private claim -65537: the passport itself
}

// IDString is the credential id as printed and as used in revocation lists:
// lower-case hex of the cti claim.
func (c *Claims) IDString() string { return fmt.Sprintf("%x", c.ID) }

// Body is what a receiving site needs to accept the person without repeating checks.
type Body struct {
	Version    int
	Person     Person
	Employment Employment
	Checks     []Check
	Training   []Training

	// Crit lists body keys the issuer marked must-understand (body key 5).
	// A decoded body only holds keys this version understands: an unknown
	// one is refused with ReasonUpdateRequired.
	Crit []int
	// extra holds body keys of a newer version, kept to be shown and re-encoded.
	extra map[int64]cbor.RawMessage
}

// Person identifies the holder. It deliberately carries no National Insurance
// number and no address: a receiving site does not need them to accept the checks.
type Person struct {
	Name         string // name as printed, any script (e.g. "Nguyễn Thị Lan")
	LatinName    string // ICAO 9303-style transliteration, upper case A-Z and '<' (e.g. "NGUYEN<THI<LAN")
	DateOfBirth  Date
	StaffNumber  string
	Registration string // professional registration, e.g. "NMC 12A3456E"; empty if none

	extra map[int64]cbor.RawMessage
}

// Employment is the holder's post at the issuing organisation.
type Employment struct {
	OrgCode    string
	OrgName    string
	Role       string
	StaffGroup string // e.g. "Nursing and Midwifery Registered"
	Start      Date

	extra map[int64]cbor.RawMessage
}

// Check is one pre-employment check the issuer has completed.
type Check struct {
	Type    CheckType
	Outcome Outcome
	Done    Date
	Expires Date   // zero when the check does not lapse
	Level   string // registry level code (DBS "enhanced_barred", occupational health "epp"); empty when none

	extra []cbor.RawMessage
}

// Known reports whether everything in the check is understood by this
// version: its type, outcome and level, and no fields of a newer version.
// A site policy must never count a check that is not Known as met.
func (c Check) Known() bool {
	return c.Type.Known() && c.Outcome.Known() && c.LevelKnown() && len(c.extra) == 0
}

// LevelKnown reports whether the level is empty or one of the check type's registry levels.
func (c Check) LevelKnown() bool {
	if c.Level == "" {
		return true
	}
	_, ok := findLevel(c.Type.Levels(), c.Level)
	return ok
}

// LevelLabel is the level for people ("Enhanced with adults' and children's
// barred lists"), the raw code when it is not known, or "".
func (c Check) LevelLabel() string {
	if l, ok := findLevel(c.Type.Levels(), c.Level); ok {
		return l.Label
	}
	return c.Level
}

// Training is one statutory/mandatory training subject.
type Training struct {
	Subject   Subject
	Completed Date
	Expires   Date   // zero when it does not lapse
	Level     string // registry level code ("level_3", "tier_2"); empty when none (always empty in version 1)

	extra []cbor.RawMessage
}

// Known reports whether everything in the training entry is understood
// by this version (see Check.Known).
func (t Training) Known() bool {
	return t.Subject.Known() && t.LevelKnown() && len(t.extra) == 0
}

// LevelKnown reports whether the level is empty or one of the subject's registry levels.
func (t Training) LevelKnown() bool {
	if t.Level == "" {
		return true
	}
	_, ok := findLevel(t.Subject.Levels(), t.Level)
	return ok
}

// LevelRank is the level's number (3 for "level_3"), 0 when there is none
// or it is not known: a policy asking for "level 3 or higher" compares ranks.
func (t Training) LevelRank() int {
	if l, ok := findLevel(t.Subject.Levels(), t.Level); ok {
		return l.ID
	}
	return 0
}

// LevelLabel is the level for people ("Level 3", "Tier 1"), the raw code
// when it is not known, or "".
func (t Training) LevelLabel() string {
	if l, ok := findLevel(t.Subject.Levels(), t.Level); ok {
		return l.Label
	}
	return t.Level
}

// Outcome of a check.
type Outcome int

const (
	OutcomeClear      Outcome = 1 // passed / cleared / verified
	OutcomeConditions Outcome = 2 // cleared with conditions or adjustments
)

func outcomeDef(o Outcome) (Def, bool) {
	for _, d := range outcomeDefs {
		if d.ID == int(o) {
			return d, true
		}
	}
	return Def{}, false
}

// String is the outcome's code ("clear"), or "outcome_N" when unknown.
func (o Outcome) String() string {
	if d, ok := outcomeDef(o); ok {
		return d.Code
	}
	return fmt.Sprintf("outcome_%d", int(o))
}

// Label is the outcome for people ("Cleared with conditions"), printed
// on the passport and shown by every verifier; an outcome of a newer
// format is "Unrecognised outcome (N)".
func (o Outcome) Label() string {
	if d, ok := outcomeDef(o); ok {
		return d.Label
	}
	return fmt.Sprintf("Unrecognised outcome (%d)", int(o))
}

// Known reports whether o is an outcome this version understands.
func (o Outcome) Known() bool { _, ok := outcomeDef(o); return ok }

// ParseOutcome reads an outcome name as written in the HR CSV.
func ParseOutcome(s string) (Outcome, error) {
	s = NormalizeCode(s)
	switch s {
	case "", "clear", "cleared", "pass", "passed", "verified", "yes", "fit":
		return OutcomeClear, nil
	case "conditions", "conditional", "with_conditions", "adjustments":
		return OutcomeConditions, nil
	}
	return 0, fmt.Errorf("unknown outcome %q (use clear or conditions)", s)
}

// CheckType is the kind of employment check.
type CheckType int

const (
	CheckIdentity             CheckType = 1
	CheckRightToWork          CheckType = 2
	CheckDBS                  CheckType = 3
	CheckOccupationalHealth   CheckType = 4
	CheckReferences           CheckType = 5
	CheckProfessionalRegister CheckType = 6
)

// CheckTypes lists every check type in display order (from the registry).
var CheckTypes = func() []CheckType {
	var out []CheckType
	for _, d := range checkDefs {
		out = append(out, CheckType(d.ID))
	}
	return out
}()

// Code is the stable machine name of the check type (used in CSV and
// JSON), or "check_N" for a type of a newer version.
func (t CheckType) Code() string {
	if d, ok := checkDef(t); ok {
		return d.Code
	}
	return fmt.Sprintf("check_%d", int(t))
}

// String is the human-readable name.
func (t CheckType) String() string {
	if d, ok := checkDef(t); ok {
		return d.Label
	}
	return fmt.Sprintf("Unrecognised check %d", int(t))
}

// Known reports whether t is a check type this version understands.
func (t CheckType) Known() bool { _, ok := checkDef(t); return ok }

// ParseCheckType reads a check type code.
func ParseCheckType(s string) (CheckType, error) {
	n := NormalizeCode(s)
	for _, d := range checkDefs {
		if d.Code == n {
			return CheckType(d.ID), nil
		}
	}
	return 0, fmt.Errorf("unknown check type %q", s)
}

// Subject is a training subject: the Core Skills Training Framework and
// the Oliver McGowan training.
type Subject int

// The training subjects.
const (
	SubjectEquality            Subject = 1
	SubjectHealthSafety        Subject = 2
	SubjectConflictResolution  Subject = 3
	SubjectFireSafety          Subject = 4
	SubjectInfectionPrevention Subject = 5
	SubjectMovingHandling      Subject = 6
	SubjectSafeguardingAdults  Subject = 7
	SubjectSafeguardingChild   Subject = 8
	SubjectPreventRadical      Subject = 9
	SubjectResuscitation       Subject = 10
	SubjectInfoGovernance      Subject = 11
	SubjectLearningDisability  Subject = 12 // Oliver McGowan, body version 2
)

// Subjects lists every training subject in display order (from the registry).
var Subjects = func() []Subject {
	var out []Subject
	for _, d := range subjectDefs {
		out = append(out, Subject(d.ID))
	}
	return out
}()

// Code is the stable machine name of the subject (used in CSV and JSON),
// or "subject_N" for a subject of a newer version.
func (s Subject) Code() string {
	if d, ok := subjectDef(s); ok {
		return d.Code
	}
	return fmt.Sprintf("subject_%d", int(s))
}

// String is the human-readable name.
func (s Subject) String() string {
	if d, ok := subjectDef(s); ok {
		return d.Label
	}
	return fmt.Sprintf("Unrecognised subject %d", int(s))
}

// Known reports whether s is a subject this version understands.
func (s Subject) Known() bool { _, ok := subjectDef(s); return ok }

// ParseSubject reads a subject code.
func ParseSubject(s string) (Subject, error) {
	n := NormalizeCode(s)
	for _, d := range subjectDefs {
		if d.Code == n {
			return Subject(d.ID), nil
		}
	}
	return 0, fmt.Errorf("unknown training subject %q", s)
}

// Date is a calendar date (no time zone), carried on the wire as days since
// 1970-01-01. The zero Date means "not set".
type Date struct {
	days int32
	set  bool
}

// NewDate makes a Date from a year, month and day. It does not normalise: use
// ParseDate for user input.
func NewDate(y int, m time.Month, d int) Date {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date{days: int32(t.Unix() / 86400), set: true}
}

// DateOf is the calendar date of t in UTC.
func DateOf(t time.Time) Date {
	t = t.UTC()
	return NewDate(t.Year(), t.Month(), t.Day())
}

// DateFromDays makes a Date from days since 1970-01-01.
func DateFromDays(days int64) Date { return Date{days: int32(days), set: true} }

// Days since 1970-01-01.
func (d Date) Days() int64 { return int64(d.days) }

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return !d.set }

// Time is midnight UTC at the start of the date.
func (d Date) Time() time.Time { return time.Unix(int64(d.days)*86400, 0).UTC() }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.days < e.days }

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date { return Date{days: d.days + int32(n), set: true} }

// String is the ISO form, 2026-02-03, or "" when unset.
func (d Date) String() string {
	if !d.set {
		return ""
	}
	return d.Time().Format("2006-01-02")
}

// Human is the unambiguous printed form, 03 Feb 2026, or "—" when unset.
func (d Date) Human() string {
	if !d.set {
		return "—"
	}
	return d.Time().Format("02 Jan 2006")
}

// ParseDate reads an ISO (2026-02-03) or UK (03/02/2026) date and rejects
// impossible ones such as 31/02/2025.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), nil
		}
	}
	return Date{}, fmt.Errorf("%q is not a date (use YYYY-MM-DD or DD/MM/YYYY)", s)
}
