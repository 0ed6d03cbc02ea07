package layout

import (
	"strings"
	"unicode"

	"passport/credential"
)

// The printed page shows words a receptionist reads, never the machine
// codes of the credential. Every code-to-words lookup the page makes goes
// through the functions in this file, which answer from the credential's
// registry of enumerations (credential/registry.go).

// checkLevelLabel is the printed wording of a check's level or kind, from
// the registry ("Enhanced with adults' and children's barred lists",
// "Cleared for exposure-prone procedures (EPP)"), or "" when it has none.
// A level this version does not know is printed as the issuer wrote it,
// marked unrecognised, so that nothing signed is hidden.
func checkLevelLabel(ch credential.Check) string {
	switch {
	case ch.Level == "":
		return ""
	case ch.LevelKnown():
		return ch.LevelLabel()
	}
	return "Unrecognised " + levelWord(ch.Type.LevelName()) + ": " + humanise(ch.Level)
}

// trainingLabel is the printed name of a training entry with its level or
// tier: "Safeguarding children, level 3".
func trainingLabel(t credential.Training) string {
	name := subjectLabel(t.Subject)
	switch {
	case t.Level == "":
		return name
	case t.LevelKnown():
		return name + ", " + strings.ToLower(t.LevelLabel())
	}
	return name + ", unrecognised " + levelWord(t.Subject.LevelName()) + ": " + humanise(t.Level)
}

func levelWord(name string) string {
	if name == "" {
		return "level"
	}
	return name
}

// notKnownNote is printed, in the warning colour, under an item this
// version of passport does not fully understand (a check type, subject,
// level, outcome or field of a newer format): it is shown, never hidden,
// and a site policy never counts it as met.
const notKnownNote = "Not recognised by this version: update passport"

// outcomeLabel is the printed wording of a check's outcome: the registry's.
func outcomeLabel(o credential.Outcome) string { return o.Label() }

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
