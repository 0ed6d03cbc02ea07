package verify

import (
	"context"
	"fmt"

	"passport/verify/scan"
)

// VerifyFrame verifies the credentials in one camera frame (an image) read
// with scan.ReadFrame under opts: its Budget and Work (0 keeps the Verifier's
// decode budget) and its Region, the part to read first (where the previous
// frame had the code). Besides the results, shaped as Verify's, it returns
// what the reader saw, whose Region the caller passes with the next frame.
func (v *Verifier) VerifyFrame(ctx context.Context, name string, data []byte, opts scan.Options) ([]Result, scan.Frame) {
	if err := ctx.Err(); err != nil {
		return []Result{Unreadable(name, err)}, scan.Frame{}
	}
	if len(data) > v.limits.MaxInputBytes {
		return []Result{Unreadable(name, &readError{ReasonInputTooLarge, fmt.Sprintf("the frame is larger than any camera picture (over %d MB)", v.limits.MaxInputBytes>>20)})}, scan.Frame{}
	}
	if opts.Budget <= 0 {
		opts.Budget = v.scan.Budget
	}
	if opts.Work <= 0 {
		opts.Work = v.scan.Work
	}
	f, err := scan.ReadFrame(ctx, data, opts)
	if len(f.Codes) == 0 {
		if err == nil {
			err = scan.ErrNoBarcode
		}
		return []Result{Unreadable(name, scanFailure(err))}, f
	}
	return v.verifyTexts(ctx, name, textsOf(f.Codes), true), f
}
