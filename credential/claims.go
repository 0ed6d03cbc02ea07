// Package credential defines the staff passport claims and the wire codec:
// CBOR claims (CWT, RFC 8392) in a COSE_Sign1 (RFC 9052), zlib-compressed,
// base45-encoded (RFC 9285) and prefixed with "SP1:". It is pure: no I/O,
// no images, no trust decisions. See docs/format.md.
package credential

import (
	"fmt"
	"strings"
	"time"
)

// SchemaVersion is the version of the passport body carried in every credential.
const SchemaVersion = 1

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
}

// Person identifies the holder. It deliberately carries no National Insurance
// number and no address: a receiving site does not need them to accept the checks.
type Person struct {
	Name         string // name as printed, any script (e.g. "Nguyễn Thị Lan")
	LatinName    string // ICAO 9303-style transliteration, upper case A-Z and '<' (e.g. "NGUYEN<THI<LAN")
	DateOfBirth  Date
	StaffNumber  string
	Registration string // professional registration, e.g. "NMC 12A3456E"; empty if none
}

// Employment is the holder's post at the issuing organisation.
type Employment struct {
	OrgCode    string
	OrgName    string
	Role       string
	StaffGroup string // e.g. "Nursing and Midwifery Registered"
	Start      Date
}

// Check is one pre-employment check the issuer has completed.
type Check struct {
	Type    CheckType
	Outcome Outcome
	Done    Date
	Expires Date   // zero when the check does not lapse
	Level   string // e.g. DBS "enhanced-barred"; empty when not applicable
}

// Training is one statutory/mandatory training subject.
type Training struct {
	Subject   Subject
	Completed Date
	Expires   Date // zero when it does not lapse
}

// Outcome of a check.
type Outcome int

const (
	OutcomeClear      Outcome = 1 // passed / cleared / verified
	OutcomeConditions Outcome = 2 // cleared with conditions or adjustments
)

var outcomeNames = map[Outcome]string{OutcomeClear: "clear", OutcomeConditions: "conditions"}

func (o Outcome) String() string {
	if s, ok := outcomeNames[o]; ok {
		return s
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

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

// CheckTypes lists every check type in display order.
var CheckTypes = []CheckType{CheckIdentity, CheckRightToWork, CheckDBS, CheckOccupationalHealth, CheckReferences, CheckProfessionalRegister}

var checkCodes = map[CheckType][2]string{
	CheckIdentity:             {"identity", "Identity"},
	CheckRightToWork:          {"right_to_work", "Right to work"},
	CheckDBS:                  {"dbs", "DBS"},
	CheckOccupationalHealth:   {"occupational_health", "Occupational health"},
	CheckReferences:           {"references", "References"},
	CheckProfessionalRegister: {"professional_registration", "Professional registration"},
}

// Code is the stable machine name of the check type (used in CSV and JSON).
func (t CheckType) Code() string {
	if s, ok := checkCodes[t]; ok {
		return s[0]
	}
	return fmt.Sprintf("check_%d", int(t))
}

// String is the human-readable name.
func (t CheckType) String() string {
	if s, ok := checkCodes[t]; ok {
		return s[1]
	}
	return fmt.Sprintf("Unknown check %d", int(t))
}

// Known reports whether t is a check type this version understands.
func (t CheckType) Known() bool { _, ok := checkCodes[t]; return ok }

// ParseCheckType reads a check type code.
func ParseCheckType(s string) (CheckType, error) {
	n := NormalizeCode(s)
	for t, c := range checkCodes {
		if c[0] == n {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown check type %q", s)
}

// Subject is a Core Skills Training Framework subject.
type Subject int

// The eleven Core Skills Training Framework subjects.
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
)

// Subjects lists every training subject in display order.
var Subjects = []Subject{SubjectEquality, SubjectHealthSafety, SubjectConflictResolution, SubjectFireSafety,
	SubjectInfectionPrevention, SubjectMovingHandling, SubjectSafeguardingAdults, SubjectSafeguardingChild,
	SubjectPreventRadical, SubjectResuscitation, SubjectInfoGovernance}

var subjectCodes = map[Subject][2]string{
	SubjectEquality:            {"equality_diversity", "Equality, diversity and human rights"},
	SubjectHealthSafety:        {"health_safety", "Health, safety and welfare"},
	SubjectConflictResolution:  {"conflict_resolution", "Conflict resolution"},
	SubjectFireSafety:          {"fire_safety", "Fire safety"},
	SubjectInfectionPrevention: {"infection_prevention", "Infection prevention and control"},
	SubjectMovingHandling:      {"moving_handling", "Moving and handling"},
	SubjectSafeguardingAdults:  {"safeguarding_adults", "Safeguarding adults"},
	SubjectSafeguardingChild:   {"safeguarding_children", "Safeguarding children"},
	SubjectPreventRadical:      {"preventing_radicalisation", "Preventing radicalisation"},
	SubjectResuscitation:       {"resuscitation", "Resuscitation"},
	SubjectInfoGovernance:      {"information_governance", "Information governance and data security"},
}

// Code is the stable machine name of the subject (used in CSV and JSON).
func (s Subject) Code() string {
	if c, ok := subjectCodes[s]; ok {
		return c[0]
	}
	return fmt.Sprintf("subject_%d", int(s))
}

// String is the human-readable name.
func (s Subject) String() string {
	if c, ok := subjectCodes[s]; ok {
		return c[1]
	}
	return fmt.Sprintf("Unknown subject %d", int(s))
}

// Known reports whether s is a subject this version understands.
func (s Subject) Known() bool { _, ok := subjectCodes[s]; return ok }

// ParseSubject reads a subject code.
func ParseSubject(s string) (Subject, error) {
	n := NormalizeCode(s)
	for t, c := range subjectCodes {
		if c[0] == n {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown training subject %q", s)
}

// NormalizeCode is the one normal form of every code a person types: check
// types, outcomes, training subjects, DBS levels and CSV headers. It trims,
// lowercases, and turns spaces and hyphens into underscores, so
// "Enhanced-Barred" and "enhanced barred" are both "enhanced_barred".
func NormalizeCode(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
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
