package credential

import "strings"

// NormalizeCode is the one rule for reading a code typed by a person (a
// column name, a DBS level, a check type or training subject in a policy):
// lower case, surrounding space trimmed, spaces and hyphens turned into
// underscores, so "Enhanced-Barred" and "enhanced barred" read as
// "enhanced_barred".
func NormalizeCode(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}
