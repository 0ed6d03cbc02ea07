package station

import (
	"fmt"
	"strings"

	"passport/credential"
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
