package issue

import (
	"fmt"
	"strings"
	"time"

	"passport/credential"
)

// LapseWarningDays is how far ahead of the day of issue a check or
// training expiry is warned about: a passport printed today whose fire
// safety lapses next week is out of date before it reaches the holder.
const LapseWarningDays = 30

// Lapse is a check or training item of a record that has lapsed, or lapses
// within LapseWarningDays, on the day of issue.
type Lapse struct {
	Column  string // the input column of its expiry, e.g. "fire_safety_expiry"
	What    string // e.g. "Fire safety training"
	Expires credential.Date
	Lapsed  bool // already past its expiry on the day of issue
}

func (l Lapse) String() string {
	if l.Lapsed {
		return fmt.Sprintf("%s lapsed on %s", l.What, l.Expires.Human())
	}
	return fmt.Sprintf("%s lapses on %s", l.What, l.Expires.Human())
}

// Lapses lists the items of rec that are lapsed on the day of now, or
// lapse within LapseWarningDays of it, in the order the page prints them.
// An item lapses after its expiry day, as the verifier and the page count.
func Lapses(rec *Record, now time.Time) []Lapse {
	today := credential.DateOf(now.UTC())
	soon := today.AddDays(LapseWarningDays + 1)
	var out []Lapse
	add := func(col, what string, exp credential.Date) {
		if exp.IsZero() || !exp.Before(soon) {
			return
		}
		out = append(out, Lapse{Column: col, What: what, Expires: exp, Lapsed: exp.Before(today)})
	}
	for _, c := range rec.Checks {
		add(c.Type.Code()+"_expiry", c.Type.String()+" check", c.Expires)
	}
	for _, t := range rec.Training {
		add(t.Subject.Code()+"_expiry", t.Subject.String()+" training", t.Expires)
	}
	return out
}

// lapseText is a record's lapses on one line, for stderr and the manifest.
func lapseText(ls []Lapse) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	return strings.Join(parts, "; ")
}
