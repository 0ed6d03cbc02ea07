package issue

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"passport/keys"
)

func TestLapses(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		expiry string // professional registration expiry
		want   string // "" : no warning
	}{
		{"2026-11-30", "Professional registration check lapsed on 30 Nov 2026"},
		{"2026-12-05", "Professional registration check lapsed on 05 Dec 2026"},
		{"2026-12-06", "Professional registration check lapses on 06 Dec 2026"}, // valid through its expiry day
		{"2027-01-05", "Professional registration check lapses on 05 Jan 2027"}, // 30 days
		{"2027-01-06", ""}, // 31 days
		{"", ""},
	}
	for _, tt := range tests {
		in := "staff_number,name,date_of_birth,role,professional_registration_date,professional_registration_expiry\nA1,Ann,1990-01-01,Nurse,2024-01-01," + tt.expiry + "\n"
		r, err := NewCSVReader(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		recs, errs := readAll(t, r)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if got := lapseText(Lapses(recs[0], now)); got != tt.want {
			t.Errorf("expiry %q: %q, want %q", tt.expiry, got, tt.want)
		}
	}
}

// TestLapsedAtIssue issues rows with a lapsed check, a training subject
// lapsing within the window and nothing lapsing: the first two are warned
// about and named in the manifest's lapsing column; with RefuseLapsed the
// lapsed one fails its row and the other two are issued.
func TestLapsedAtIssue(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	csv := []byte("staff_number,name,date_of_birth,role,professional_registration_date,professional_registration_expiry,fire_safety_date\n" +
		"L1,Ann Test,1990-01-01,Nurse,2024-01-01,2026-11-30,2026-06-01\n" +
		"L2,Bo Test,1990-01-01,Nurse,2024-01-01,2028-01-01,2025-12-20\n" +
		"L3,Cy Test,1990-01-01,Nurse,2024-01-01,2028-01-01,2026-06-01\n")
	iss := testIssuerAt(t, now)
	for _, refuse := range []bool{false, true} {
		t.Run(fmt.Sprint("refuse=", refuse), func(t *testing.T) {
			sum, err := Run(context.Background(), csvOpener(csv), Options{Issuer: iss, OutDir: t.TempDir(), Now: now, RefuseLapsed: refuse})
			if err != nil {
				t.Fatal(err)
			}
			man := readManifest(t, sum.Manifest)
			if !refuse {
				if sum.Issued != 3 || sum.WarnedRows != 2 || len(sum.Warnings) != 2 {
					t.Fatalf("summary %+v", sum)
				}
				if w := sum.Warnings[0]; w.Row != 2 || w.Reason != "Professional registration check lapsed on 30 Nov 2026" {
					t.Errorf("warning %+v", w)
				}
				if got := man["L2"][9]; got != "Fire safety training lapses on 20 Dec 2026" {
					t.Errorf("manifest lapsing column for L2: %q", got)
				}
				if got := man["L1"][9]; !strings.Contains(got, "lapsed on 30 Nov 2026") {
					t.Errorf("manifest lapsing column for L1: %q", got)
				}
				if got := man["L3"][9]; got != "" {
					t.Errorf("manifest lapsing column for L3: %q", got)
				}
				return
			}
			if sum.Issued != 2 || sum.FailedRows != 1 || sum.WarnedRows != 1 {
				t.Fatalf("summary %+v", sum)
			}
			if e := sum.Errors[0]; e.Row != 2 || e.Column != "professional_registration_expiry" || !strings.Contains(e.Reason, "--refuse-lapsed") {
				t.Errorf("error %+v", e)
			}
			if _, ok := man["L1"]; ok {
				t.Errorf("L1 was issued with a lapsed check")
			}
		})
	}
}

func testIssuerAt(t *testing.T, now time.Time) *keys.Issuer {
	t.Helper()
	iss, err := keys.NewIssuer("RXT", "Synthetic Integrated Care System (TEST)", now.Add(-time.Hour), 5*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}
