package credential

import "strings"

// NormalizeCode is the one rule for reading a code typed by a person (CSV
// cells, policy files): lower case, surrounding space trimmed, spaces and
// hyphens as underscores. "Enhanced-Barred " and "enhanced barred" are
// both "enhanced_barred".
func NormalizeCode(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}
