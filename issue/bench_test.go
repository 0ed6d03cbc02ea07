package issue

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"passport/credential"
	"passport/credential/sign"
	"passport/fixtures/population"
	"passport/keys"
)

var benchNow = time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)

func testIssuer(t testing.TB) *keys.Issuer {
	t.Helper()
	iss, err := keys.NewIssuer("RXT", "Synthetic Integrated Care System (TEST)", benchNow.Add(-time.Hour), 5*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

func popCSV(t testing.TB, n int) []byte {
	var b bytes.Buffer
	if err := population.WriteCSV(&b, n, 1, benchNow); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func csvOpener(data []byte) func() (Source, error) {
	return func() (Source, error) {
		r, err := NewCSVReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// BenchmarkIssue measures a whole batch per passport: validation, signing,
// layout, PDF writing and the register, into a combined PDF or one PDF
// per person.
func BenchmarkIssue(b *testing.B) {
	iss := testIssuer(b)
	for _, mode := range []string{"combined", "individual"} {
		b.Run(mode, func(b *testing.B) {
			data := popCSV(b, b.N)
			opts := Options{Issuer: iss, OutDir: b.TempDir(), Now: benchNow, Combined: mode == "combined", NoIndividual: mode == "combined"}
			b.ResetTimer()
			sum, err := Run(context.Background(), csvOpener(data), opts)
			if err != nil {
				b.Fatal(err)
			}
			if sum.Issued != b.N {
				b.Fatalf("issued %d of %d", sum.Issued, b.N)
			}
		})
	}
}

// BenchmarkSignOnly is the floor: building the claims, signing and
// encoding one credential, on all cores.
func BenchmarkSignOnly(b *testing.B) {
	iss := testIssuer(b)
	data := popCSV(b, 1000)
	src, _ := NewCSVReader(bytes.NewReader(data))
	var recs []*Record
	for {
		rec, _, err := src.Next()
		if err != nil {
			break
		}
		recs = append(recs, rec)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c, err := Claims(recs[i%len(recs)], iss, benchNow, 0)
			if err != nil {
				panic(err)
			}
			msg, err := sign.Sign(c, iss.Key, iss.KID)
			if err != nil {
				panic(fmt.Sprint(err))
			}
			_ = credential.Encode(msg)
			i++
		}
	})
}
