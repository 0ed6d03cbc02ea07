package verify

import (
	"errors"
	"fmt"
	"strings"

	"passport/credential"
)

// InputError says why nothing could be read from an input, with the reason
// code the result carries. The reading layer (package read) returns it; the
// judge only reports it.
type InputError struct {
	Code    credential.Reason
	Message string
}

func (e *InputError) Error() string { return e.Message }

// Unreadable is the result for an input from which nothing could be read.
// An *InputError gives its code; any other error (a cancelled request, a
// file that could not be opened) is unreadable_input with its message.
func Unreadable(name string, err error) Result {
	r := Result{Input: name, Status: StatusUnreadable}
	var ie *InputError
	if errors.As(err, &ie) {
		r.Reasons = []Reason{{Code: ie.Code, Message: ie.Message}}
	} else {
		r.Reasons = []Reason{{Code: ReasonUnreadableInput, Message: err.Error()}}
	}
	return r
}

// flagMixedPages warns on every result of an image or page that carries more
// than one distinct credential: a reader must not take one person's verdict
// for the other's. A text file of many scans is a batch, not a page, and is
// not flagged.
func flagMixedPages(results []Result) {
	ids := map[string]bool{}
	var names []string
	for _, r := range results {
		key := r.CredentialID
		if key == "" {
			key = fmt.Sprintf("unidentified-%d", len(ids))
		}
		if !ids[key] {
			ids[key] = true
			if r.Subject != "" {
				names = append(names, r.Subject)
			}
		}
	}
	if len(ids) < 2 {
		return
	}
	msg := fmt.Sprintf("this input carries %d different codes", len(ids))
	if len(names) > 0 {
		msg += " (" + strings.Join(names, ", ") + ")"
	}
	msg += ": make sure the verdict you read belongs to the person in front of you"
	for i := range results {
		results[i].warn(WarnMultipleCodes, "%s", msg)
	}
}
