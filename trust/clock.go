package trust

import (
	"errors"
	"fmt"
	"time"
)

// ErrClockBehind: the system clock is earlier than a time the site has
// already seen signed or recorded, by more than the allowed skew. Dates
// checked against such a clock mean nothing: an expired passport or an
// expired list would pass.
var ErrClockBehind = errors.New("this computer's clock is wrong")

// TimeFloor is the newest time a site knows has passed: when the bundle
// in force or the newest freshness statement was issued, or the newest
// verification was logged. A clock earlier than it is wrong.
type TimeFloor struct {
	At     time.Time
	Source string // what set it, for people: "the trust list was issued", "the last check was logged"
}

// CheckClock reports, as an error wrapping ErrClockBehind, a clock (now)
// behind floor by more than skew, naming both times; nil otherwise and for
// a zero floor.
func CheckClock(now time.Time, floor TimeFloor, skew time.Duration) error {
	if floor.At.IsZero() || !now.Add(skew).Before(floor.At) {
		return nil
	}
	return fmt.Errorf("%w: it says %s, but %s %s: set the date and time (or replace the clock battery) before checking passports",
		ErrClockBehind, now.UTC().Format("02 Jan 2006 15:04 UTC"), floor.Source, floor.At.UTC().Format("02 Jan 2006 15:04 UTC"))
}
