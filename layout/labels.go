package layout

import (
	"fmt"
	"strings"
	"unicode"

	"passport/credential"
)

// The printed page shows words a receptionist reads, never the machine
// codes of the credential. Every code-to-words lookup the page makes goes
// through the functions in this file, so that they can later be answered
// by the credential's registry of enumerations without touching the
// layout code.

// dbsLevels are the words for the DBS levels the issuer's CSV accepts
// (docs/format.md §1.7). "enhanced_barred" is the check against both
// barred lists; the page must say which lists, because a site may accept
// one and not the other.
var dbsLevels = map[string]string{
	"basic":                    "Basic",
	"standard":                 "Standard",
	"enhanced":                 "Enhanced (no barred list check)",
	"enhanced_barred":          "Enhanced with adults' and children's barred lists",
	"enhanced_barred_adults":   "Enhanced with adults' barred list",
	"enhanced_barred_children": "Enhanced with children's barred list",
}

// checkLevelLabel is the printed wording of a check's level code. A code
// this version does not know is printed as the issuer wrote it, with
// underscores turned into spaces, so that nothing signed is hidden.
func checkLevelLabel(code string) string {
	key := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(code)))
	if s, ok := dbsLevels[key]; ok {
		return s
	}
	return humanise(code)
}

// outcomeLabel is the printed wording of a check's outcome.
func outcomeLabel(o credential.Outcome) string {
	switch o {
	case credential.OutcomeClear:
		return "Clear"
	case credential.OutcomeConditions:
		return "Cleared with conditions"
	}
	return fmt.Sprintf("Unrecognised outcome (%d)", int(o))
}

// checkTypeLabel is the printed name of a check type.
func checkTypeLabel(t credential.CheckType) string { return t.String() }

// subjectLabel is the printed name of a training subject.
func subjectLabel(s credential.Subject) string { return s.String() }

// requiredSubjects are the training subjects every passport lists: a
// subject the record lacks is printed as "not recorded" rather than left
// out, so that a reader can tell "not done" from "not printed".
func requiredSubjects() []credential.Subject { return credential.Subjects }

// notRecorded is printed in place of the date of a required subject the
// record does not hold.
const notRecorded = "not recorded"

// humanise turns a snake_case or kebab-case code into words ("some_code"
// → "Some code") for codes no table knows.
func humanise(code string) string {
	s := strings.Join(strings.FieldsFunc(code, func(r rune) bool {
		return r == '_' || r == '-' || unicode.IsSpace(r)
	}), " ")
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
