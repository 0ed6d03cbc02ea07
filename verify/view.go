package verify

import (
	"fmt"
	"strings"
	"time"

	"passport/credential"
)

// ClaimsView is the JSON form of a passport's claims: readable codes and
// ISO dates, with each check and training subject marked expired or not
// on the day of verification.
type ClaimsView struct {
	Issuer     string         `json:"iss"`
	IssuedAt   string         `json:"iat"`
	ValidFrom  string         `json:"nbf"`
	ValidUntil string         `json:"exp"`
	Person     PersonView     `json:"person"`
	Employment EmploymentView `json:"employment"`
	Checks     []CheckView    `json:"checks"`
	Training   []TrainingView `json:"training"`
}

// PersonView is the holder.
type PersonView struct {
	Name         string `json:"name"`
	LatinName    string `json:"latin_name,omitempty"`
	DateOfBirth  string `json:"date_of_birth,omitempty"`
	StaffNumber  string `json:"staff_number"`
	Registration string `json:"registration,omitempty"`
}

// EmploymentView is the holder's post.
type EmploymentView struct {
	OrgCode    string `json:"org_code"`
	OrgName    string `json:"org_name"`
	Role       string `json:"role"`
	StaffGroup string `json:"staff_group,omitempty"`
	Start      string `json:"start,omitempty"`
}

// CheckView is one employment check.
type CheckView struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	Outcome string `json:"outcome"`
	// OutcomeLabel is the outcome for people ("Cleared with conditions").
	OutcomeLabel string `json:"outcome_label"`
	Level        string `json:"level,omitempty"`
	// LevelLabel is the level for people ("Enhanced with adults' and
	// children's barred lists"); the raw code when not recognised.
	LevelLabel string `json:"level_label,omitempty"`
	Done       string `json:"done"`
	Expires    string `json:"expires,omitempty"`
	Expired    bool   `json:"expired"`
	// NotRecognised marks an item of a newer format version: shown by its
	// code, never counted as met by a site policy.
	NotRecognised bool `json:"not_recognised,omitempty"`
}

// TrainingView is one training subject.
type TrainingView struct {
	Subject string `json:"subject"`
	Name    string `json:"name"`
	Level   string `json:"level,omitempty"`
	// LevelLabel: as in CheckView ("Level 3", "Tier 2").
	LevelLabel string `json:"level_label,omitempty"`
	Completed  string `json:"completed"`
	Expires    string `json:"expires,omitempty"`
	Expired    bool   `json:"expired"`
	// NotRecognised: as in CheckView.
	NotRecognised bool `json:"not_recognised,omitempty"`
}

func expired(exp, today credential.Date) bool { return !exp.IsZero() && exp.Before(today) }

func viewOf(c *credential.Claims, today credential.Date) *ClaimsView {
	v := &ClaimsView{
		Issuer:     c.Issuer,
		IssuedAt:   c.IssuedAt.UTC().Format(time.RFC3339),
		ValidFrom:  c.NotBefore.UTC().Format(time.RFC3339),
		ValidUntil: c.Expires.UTC().Format(time.RFC3339),
		Person: PersonView{Name: c.Body.Person.Name, LatinName: c.Body.Person.LatinName,
			DateOfBirth: c.Body.Person.DateOfBirth.String(), StaffNumber: c.Body.Person.StaffNumber,
			Registration: c.Body.Person.Registration},
		Employment: EmploymentView{OrgCode: c.Body.Employment.OrgCode, OrgName: c.Body.Employment.OrgName,
			Role: c.Body.Employment.Role, StaffGroup: c.Body.Employment.StaffGroup, Start: c.Body.Employment.Start.String()},
		Checks:   []CheckView{},
		Training: []TrainingView{},
	}
	for _, ch := range c.Body.Checks {
		v.Checks = append(v.Checks, CheckView{Type: ch.Type.Code(), Name: ch.Type.String(), Outcome: ch.Outcome.String(), OutcomeLabel: ch.Outcome.Label(),
			Level: ch.Level, LevelLabel: ch.LevelLabel(), Done: ch.Done.String(), Expires: ch.Expires.String(), Expired: expired(ch.Expires, today), NotRecognised: !ch.Known()})
	}
	for _, t := range c.Body.Training {
		v.Training = append(v.Training, TrainingView{Subject: t.Subject.Code(), Name: t.Subject.String(), Level: t.Level, LevelLabel: t.LevelLabel(),
			NotRecognised: !t.Known(), Completed: t.Completed.String(), Expires: t.Expires.String(), Expired: expired(t.Expires, today)})
	}
	return v
}

// lapsed lists, in words, every check and training subject of c past its
// expiry on today. It works on the claims' dates, not on the view's strings.
func lapsed(c *credential.Claims, today credential.Date) []string {
	var out []string
	for _, ch := range c.Body.Checks {
		if expired(ch.Expires, today) {
			out = append(out, fmt.Sprintf("%s check lapsed on %s", ch.Type, ch.Expires.Human()))
		}
	}
	for _, t := range c.Body.Training {
		if expired(t.Expires, today) {
			out = append(out, fmt.Sprintf("%s training lapsed on %s", t.Subject, t.Expires.Human()))
		}
	}
	return out
}

// Printable returns s with every credential.UnsafeRune (control,
// bidirectional and the other characters that can hide or reorder text)
// replaced by U+FFFD. It is the one rule for showing or logging a string
// that came from a credential: names, a DCC's certificate identifier, a
// reason that quotes one.
func Printable(s string) string {
	return strings.Map(func(r rune) rune {
		if credential.UnsafeRune(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
