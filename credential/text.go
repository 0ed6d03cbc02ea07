package credential

import "passport/internal/textsafe"

// UnsafeRune reports characters that must never be shown as they are,
// because they can make a name (or a verdict printed beside it) look blank,
// reordered or split from how it is stored: control characters, bidi
// controls, invisible and blank-rendering characters. It is the project's
// one table of them, internal/textsafe.Hidden (where the list is given):
// issuers refuse them in a record, verifiers show them as visible markers.
func UnsafeRune(r rune) bool { return textsafe.Hidden(r) }
