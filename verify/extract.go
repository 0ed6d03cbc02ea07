package verify

import (
	"strings"

	"passport/credential"
)

// base45Alphabet is what a credential's text may hold after its prefix
// (docs/format.md §1.2).
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

var prefixes = []string{credential.Prefix, credential.PrefixDCC}

// ExtractCode finds the credential text in what a USB scanner typed: it
// upper-cases ASCII letters (Caps Lock), starts at an SP1:/HC1: prefix
// wherever it is (a stray key pressed before the scan, an AIM symbology
// identifier such as "]Q1" are dropped) and ends at the first character
// base45 cannot hold (a scanner's Tab, CR or other suffix). When the prefix
// occurs more than once (a scan typed after half a scan), the first
// candidate that decodes is taken. It reports false when the line holds no
// prefix at all: it is not a credential. A prefix followed by fewer than
// minCodeChars characters, or by text in mixed case (prose that mentions
// "SP1:", as a README does; a scanner types a code all in one case), is not
// a credential either. The station applies it to what its page's scan field
// sends (the page only spots a prefix and asks the station), and the text
// input of package read uses it on every line, so a scanner typing into
// `passport verify -` is read alike.
func ExtractCode(line string) (string, bool) {
	up := asciiUpper(line)
	var cands []string
	for i := 0; i < len(up); i++ {
		for _, p := range prefixes {
			if !strings.HasPrefix(up[i:], p) {
				continue
			}
			c := cutBase45(up[i:], len(p))
			if len(c)-len(p) >= minCodeChars && !mixedCase(line[i:i+len(c)]) {
				cands = append(cands, c)
			}
		}
	}
	if len(cands) == 0 {
		return "", false
	}
	for _, c := range cands {
		if _, err := credential.Decode(c); err == nil {
			return c, true
		}
	}
	return cands[0], true
}

// minCodeChars is fewer base45 characters than the smallest credential
// can have (a COSE_Sign1 with its 64-byte signature alone is 96).
const minCodeChars = 60

func mixedCase(s string) bool {
	return strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") && strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

func asciiUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// cutBase45 ends s at the first character after the prefix that is not
// base45, and trims trailing spaces (a scanner's padding).
func cutBase45(s string, prefix int) string {
	end := len(s)
	for i := prefix; i < len(s); i++ {
		if !strings.ContainsRune(base45Alphabet, rune(s[i])) {
			end = i
			break
		}
	}
	return strings.TrimRight(s[:end], " ")
}
