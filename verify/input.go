package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"passport/credential"
	"passport/trust"
	"passport/verify/scan"
)

// MaxInputBytes caps one input file. It is the reader's own limit
// (scan.MaxInputBytes), so the two cannot drift apart.
const MaxInputBytes = scan.MaxInputBytes

// MaxTextLines caps the credentials read from one text input (a USB scanner
// session pasted into a file), so a huge text file cannot stall the verifier.
const MaxTextLines = 10000

// Codes reads the credential texts in one input: barcodes in an image or
// PDF, or one text per non-empty line. A non-nil error means nothing could
// be read, and carries the reason.
func Codes(data []byte) ([]string, error) {
	return verifierFor(nil, Options{}).codes(context.Background(), data)
}

func (v *Verifier) codes(ctx context.Context, data []byte) ([]string, error) {
	if len(data) > v.limits.MaxInputBytes {
		return nil, &readError{ReasonInputTooLarge, fmt.Sprintf("the file is larger than any passport scan (over %d MB)", v.limits.MaxInputBytes>>20)}
	}
	switch scan.Sniff(data) {
	case scan.KindImage, scan.KindPDF:
		found, err := scan.ReadContext(ctx, data, v.scan)
		if err != nil && len(found) == 0 {
			return nil, scanFailure(err)
		}
		return textsOf(found), nil
	case scan.KindText:
		var texts []string
		for _, line := range strings.Split(string(data), "\n") {
			// A scanner's stray prefix or suffix is dropped as the station
			// drops it; a line with no code in it is verified as typed, so
			// it gets its own bad_prefix result.
			if code, ok := ExtractCode(line); ok {
				line = code
			}
			if line = strings.TrimSpace(line); line != "" {
				texts = append(texts, line)
			}
			if len(texts) >= v.limits.MaxTextLines {
				break
			}
		}
		if len(texts) == 0 {
			return nil, &readError{ReasonNoBarcode, "the text input is empty"}
		}
		return texts, nil
	}
	return nil, &readError{ReasonUnsupportedInput, "this is not an image (PNG, JPEG, GIF), a PDF or text"}
}

// scanFailure is the reason for a scan that read nothing.
func scanFailure(err error) error {
	switch {
	case errors.Is(err, scan.ErrBudget):
		return &readError{ReasonNoBarcode, "no barcode was read: " + strings.TrimPrefix(err.Error(), "scan: ")}
	case errors.Is(err, scan.ErrTooLarge):
		return &readError{ReasonInputTooLarge, "the image or PDF is too large to read safely: " + err.Error()}
	case errors.Is(err, scan.ErrNoBarcode):
		return &readError{ReasonNoBarcode, "no barcode was found: rescan the whole page, flat, in good light (at least 150 dpi)"}
	}
	return &readError{ReasonUnreadableInput, "the file could not be read: " + err.Error()}
}

func textsOf(found []scan.Code) []string {
	texts := make([]string, 0, len(found))
	for _, c := range found {
		texts = append(texts, c.Text)
	}
	return texts
}

type readError struct {
	code    credential.Reason
	message string
}

func (e *readError) Error() string { return e.message }

// Input verifies every credential found in one input (an image, a PDF, or
// text with one credential per line). It is Verifier.Verify for callers
// that verify once; a long-running caller builds a Verifier.
func Input(name string, data []byte, store trust.TrustStore, opts Options) []Result {
	return verifierFor(store, opts).Verify(context.Background(), name, data)
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

// Unreadable is the result for an input from which nothing could be read.
func Unreadable(name string, err error) Result {
	r := Result{Input: name, Status: StatusUnreadable}
	var re *readError
	if errors.As(err, &re) {
		r.Reasons = []Reason{{Code: re.code, Message: re.message}}
	} else {
		r.Reasons = []Reason{{Code: ReasonUnreadableInput, Message: err.Error()}}
	}
	return r
}
