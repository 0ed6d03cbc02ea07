package trust

import (
	"strings"
	"unicode/utf8"

	"passport/credential"
)

// SafeText makes text that someone else chose (a sync source's reason
// phrase, a host name, a file name) safe to print on a terminal, in a
// journal or on a page: control, escape, bidirectional and invisible
// characters (credential.UnsafeRune) and invalid UTF-8 become U+FFFD, and
// it is cut after max bytes, marked with "…".
func SafeText(s string, max int) string {
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= max {
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
