package verify

import (
	"strings"

	"passport/credential"
)

// Forward compatibility (docs/format.md §7): a passport from a newer issuer
// may hold items this verifier does not know. They keep the verdict VALID,
// are listed in one warning with their raw codes, and stay in the parsed
// claims (Check.Known and Training.Known say which) so that a site policy
// never counts them as met.

// WarnNotRecognised is the warning for items of a newer format version.
const WarnNotRecognised = credential.WarnNotRecognised

// ReasonUpdateRequired refuses a passport whose issuer marked as
// must-understand something this verifier does not know.
const ReasonUpdateRequired = credential.ReasonUpdateRequired

func (r *Result) noteUnrecognised(c *credential.Claims) {
	items := c.Body.Unrecognised()
	if len(items) == 0 {
		return
	}
	shown := make([]string, len(items))
	for i, u := range items {
		shown[i] = u.String()
	}
	r.warn(WarnNotRecognised, "this passport comes from a newer issuer and holds items this verifier does not recognise (%s): they are shown by their code and never count as met by a site policy; update the verifier to read them",
		strings.Join(shown, "; "))
}

// claimsMessage is the message for a payload the claims layer refused: an
// update_required passport is not "not a valid passport", it is newer than us.
func claimsMessage(err error) string {
	if credential.ReasonOf(err) == credential.ReasonUpdateRequired {
		return decodeMessage(err)
	}
	return "the signed content is not a valid passport: " + err.Error()
}
