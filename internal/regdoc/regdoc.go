// Package regdoc renders the credential registry (every enumeration and
// reason code) as the Markdown tables of docs/format.md and the README,
// between marker comments:
//
//	<!-- registry:NAME -->
//	...generated...
//	<!-- /registry:NAME -->
//
// `go generate ./credential` rewrites them; a test fails when the committed
// documents drift from the registry.
package regdoc

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"passport/credential"
)

// Tables returns the Markdown of every generated section by name.
func Tables() map[string]string {
	return map[string]string{
		"checks":     checks(),
		"subjects":   subjects(),
		"levels":     levels(),
		"outcomes":   outcomes(),
		"reasons":    reasons(false),
		"warnings":   reasons(true),
		"csv":        csv(),
		"revocation": revocationReasons(),
	}
}

func checks() string {
	var b strings.Builder
	b.WriteString("| value | code | name | levels (CSV column) | since version | meaning |\n|---|---|---|---|---|---|\n")
	for _, d := range credential.CheckDefs() {
		lv := "—"
		if d.LevelName != "" {
			lv = fmt.Sprintf("%s (`%s`)", d.LevelName, credential.CheckType(d.ID).LevelColumn())
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %d | %s |\n", d.ID, d.Code, d.Label, lv, d.Since, d.Doc)
	}
	return b.String()
}

func subjects() string {
	var b strings.Builder
	b.WriteString("| value | code | name | levels | default refresher | since version | notes |\n|---|---|---|---|---|---|---|\n")
	for _, d := range credential.SubjectDefs() {
		lv := "—"
		if n := len(d.Levels); n > 0 {
			lv = fmt.Sprintf("%s 1-%d", d.LevelName, n)
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %d | %s |\n", d.ID, d.Code, d.Label, lv, years(d.RefresherYears), d.Since, d.Doc)
	}
	return b.String()
}

func years(n int) string {
	if n == 1 {
		return "1 year"
	}
	return fmt.Sprintf("%d years", n)
}

func levels() string {
	var b strings.Builder
	b.WriteString("| of | value | code | meaning |\n|---|---|---|---|\n")
	for _, d := range credential.CheckDefs() {
		for _, l := range d.Levels {
			fmt.Fprintf(&b, "| check %s | %d | %s | %s |\n", d.Code, l.ID, l.Code, l.Label)
		}
	}
	for _, d := range credential.SubjectDefs() {
		for _, l := range d.Levels {
			fmt.Fprintf(&b, "| training %s | %d | %s | %s |\n", d.Code, l.ID, l.Code, l.Label)
		}
	}
	return b.String()
}

func revocationReasons() string {
	var b strings.Builder
	b.WriteString("| value | code | shown as | meaning |\n|---|---|---|---|\n")
	for _, d := range credential.RevocationReasonDefs() {
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", d.ID, d.Code, d.Label, d.Doc)
	}
	return b.String()
}

func outcomes() string {
	var b strings.Builder
	b.WriteString("| value | code | meaning |\n|---|---|---|\n")
	for _, d := range credential.OutcomeDefs() {
		fmt.Fprintf(&b, "| %d | %s | %s |\n", d.ID, d.Code, d.Doc)
	}
	return b.String()
}

func reasons(warnings bool) string {
	var b strings.Builder
	if warnings {
		b.WriteString("| code | meaning |\n|---|---|\n")
	} else {
		b.WriteString("| code | layer | meaning |\n|---|---|---|\n")
	}
	for _, r := range credential.ReasonDefs() {
		switch {
		case r.Warning != warnings:
		case warnings:
			fmt.Fprintf(&b, "| %s | %s |\n", r.Code, r.Doc)
		default:
			fmt.Fprintf(&b, "| %s | %s | %s |\n", r.Code, r.Layer, r.Doc)
		}
	}
	return b.String()
}

func csv() string {
	var b strings.Builder
	b.WriteString("| column | required | meaning |\n|---|---|---|\n")
	for _, d := range credential.CheckDefs() {
		fmt.Fprintf(&b, "| `%s_date`, `%[1]s_expiry`, `%[1]s_outcome` | no | %s check: %s; outcome `clear` (default) or `conditions` |\n", d.Code, d.Label, d.Doc)
		if d.LevelName != "" {
			need := "no"
			if d.LevelRequired {
				need = fmt.Sprintf("with `%s_date`", d.Code)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", credential.CheckType(d.ID).LevelColumn(), need, codeList(d.Levels))
		}
	}
	for _, d := range credential.SubjectDefs() {
		fmt.Fprintf(&b, "| `%s_date`, `%[1]s_expiry` | no | %s training completed; without an expiry, %s later |\n", d.Code, d.Label, years(d.RefresherYears))
		if d.LevelName != "" {
			fmt.Fprintf(&b, "| `%s` | no | %s %s: `1`-`%d` |\n", credential.Subject(d.ID).LevelColumn(), d.Label, d.LevelName, len(d.Levels))
		}
	}
	return b.String()
}

func codeList(list []credential.LevelDef) string {
	parts := make([]string, len(list))
	for i, l := range list {
		parts[i] = fmt.Sprintf("`%s` (%s)", l.Code, l.Label)
	}
	return strings.Join(parts, ", ")
}

var marker = regexp.MustCompile(`(?s)<!-- registry:([a-z]+) -->\n(.*?)<!-- /registry:([a-z]+) -->`)

// Apply replaces every marked section of doc with its table. A marker
// naming no table, or an unclosed or mismatched pair, is an error.
func Apply(doc string, tables map[string]string) (string, []string, error) {
	var err error
	var names []string
	out := marker.ReplaceAllStringFunc(doc, func(m string) string {
		sub := marker.FindStringSubmatch(m)
		if sub[1] != sub[3] {
			err = fmt.Errorf("marker registry:%s is closed by /registry:%s", sub[1], sub[3])
			return m
		}
		t, ok := tables[sub[1]]
		if !ok {
			err = fmt.Errorf("no registry table is called %q", sub[1])
			return m
		}
		names = append(names, sub[1])
		return "<!-- registry:" + sub[1] + " -->\n" + t + "<!-- /registry:" + sub[1] + " -->"
	})
	if opened, closed := strings.Count(doc, "<!-- registry:"), strings.Count(doc, "<!-- /registry:"); err == nil && (opened != closed || opened != len(names)) {
		err = fmt.Errorf("%d registry markers opened, %d closed, %d well-formed", opened, closed, len(names))
	}
	sort.Strings(names)
	return out, names, err
}

// Documents are the files, relative to the repository root, that hold
// registry tables.
var Documents = []string{"docs/format.md", "README.md"}
