package trustsync

import "passport/trust"

// maxErrorLen caps a sync error as printed and kept in the status: a
// hostile source decides part of its text.
const maxErrorLen = 1000

// clean makes text a source may have chosen safe to print on a terminal,
// in the journal and on the station's page (trust.SafeText).
func clean(s string) string { return trust.SafeText(s, maxErrorLen) }

// cleanError is a sync error as it may be shown: its text cleaned, the
// error it wraps kept for errors.Is.
type cleanError struct{ err error }

func (e cleanError) Error() string { return clean(e.err.Error()) }
func (e cleanError) Unwrap() error { return e.err }
