package trust

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// TestBundleDatesAtTheExtremes: a bundle whose expiry is
// the int64 maximum is refused for what it is (a date out of range), not
// with "expires is not after issued" from overflowed time arithmetic.
func TestBundleDatesAtTheExtremes(t *testing.T) {
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC).Unix()
	huge, neg := int64(math.MaxInt64), int64(math.MinInt64)
	for _, tc := range []struct {
		name string
		w    wireBundle
		want string
	}{
		{"expires at int64 max", wireBundle{Version: 1, Issued: now, Expires: huge}, "expires is 9223372036854775807 seconds, outside"},
		{"issued at int64 min", wireBundle{Version: 1, Issued: neg, Expires: now}, "issued is -9223372036854775808 seconds, outside"},
		{"issuer valid until at int64 max", wireBundle{Version: 1, Issued: now, Expires: now + 1,
			Issuers: []wireIssuer{{KID: make([]byte, 8), OrgCode: "A", OrgName: "A", PublicKey: []byte{1}, ValidUntil: &huge}}}, "issuer entry 1: valid until"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := bundleEnc.Marshal(tc.w)
			if err != nil {
				t.Fatal(err)
			}
			_, err = UnmarshalBundle(p)
			if !errors.Is(err, ErrBundleMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	// The last second of 9999 is still a date a bundle may carry.
	p, _ := bundleEnc.Marshal(wireBundle{Version: 1, Issued: now, Expires: maxBundleUnix})
	if b, err := UnmarshalBundle(p); err != nil || b.Expires.Year() != 9999 {
		t.Fatalf("expiry at the end of 9999: %v", err)
	}
}
