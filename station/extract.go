package station

import (
	"fmt"
	"strings"

	"passport/credential"
	"passport/policy"
	"passport/verify"
)

// textCodes splits a text body into lines and extracts the credential from
// each. Lines without one are only counted: their text is never verified,
// shown or logged.
func textCodes(data []byte, maxLines int) (codes []string, other int) {
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if c, ok := verify.ExtractCode(line); ok {
			if len(codes) < maxLines {
				codes = append(codes, c)
			}
		} else {
			other++
		}
	}
	return codes, other
}

// notAPassport is the one result for text in which no line holds a
// credential: a typed staff number, a wristband scan, a README uploaded by
// mistake. Its message is a count, never the text.
func notAPassport(name string, lines int) verify.Result {
	msg := "This text is not a staff passport code."
	if lines > 1 {
		msg = fmt.Sprintf("%d lines of text, no staff passport code found.", lines)
	}
	return verify.Result{Input: name, Status: verify.StatusUnreadable,
		Reasons: []verify.Reason{{Code: credential.ReasonBadPrefix, Message: msg}}}
}

// incompleteText reports whether text the page posted while a scanner was
// typing stops before a code could: it holds a passport prefix but too few
// characters after it to be a code, or every code in it was decided
// cannot_read. For text, the verifier makes that decision only for a code
// cut short (a dangling base45 group, a zlib stream without its end); a
// whole code that fails to decode is altered, do_not_accept, and is an
// answer.
func incompleteText(data []byte, vs []policy.Verdict) bool {
	if len(vs) == 1 && vs[0].Decision.Code == policy.NotAPassport {
		up := strings.ToUpper(string(data))
		return strings.Contains(up, credential.Prefix) || strings.Contains(up, credential.PrefixDCC)
	}
	for _, v := range vs {
		if v.Decision.Code != policy.CannotRead {
			return false
		}
	}
	return len(vs) > 0
}
