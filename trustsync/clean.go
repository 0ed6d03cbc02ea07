package trustsync

import (
	"strings"
	"unicode/utf8"

	"passport/credential"
)

// maxErrorLen caps a sync error as printed and kept in the status: a
// hostile source decides part of its text.
const maxErrorLen = 1000

// clean makes text a source may have chosen (a reason phrase, a host, a
// file name) safe to print on a terminal, in the journal and on the
// station's page: control, escape and bidirectional characters
// (credential.UnsafeRune) and invalid UTF-8 become U+FFFD, and it is cut to
// maxErrorLen bytes.
func clean(s string) string {
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= maxErrorLen {
			b.WriteString("…")
			break
		}
		if (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) || credential.UnsafeRune(r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cleanError is a sync error as it may be shown: its text cleaned, the
// error it wraps kept for errors.Is.
type cleanError struct{ err error }

func (e cleanError) Error() string { return clean(e.err.Error()) }
func (e cleanError) Unwrap() error { return e.err }
