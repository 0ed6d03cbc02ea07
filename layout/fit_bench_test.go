package layout_test

import (
	"io"
	"os"
	"testing"
	"time"

	"passport/credential"
	"passport/issue"
	"passport/keys"
	"passport/layout"
)

// BenchmarkRenderFixture lays out the A4 page of every synthetic person in
// fixtures/staff.csv, most of whose full records need a type scale below
// the first to fit: the cost of a page as a batch pays it.
func BenchmarkRenderFixture(b *testing.B) {
	f, err := os.Open("../fixtures/staff.csv")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	src, err := issue.NewCSVReader(f)
	if err != nil {
		b.Fatal(err)
	}
	iss, err := keys.NewIssuer("RXT", "Synthetic Integrated Care System (TEST)", longNow.Add(-time.Hour), 5*365*24*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	var cs []*credential.Claims
	for {
		rec, _, err := src.Next()
		if err == io.EOF {
			break
		}
		if rec == nil {
			continue
		}
		c, err := issue.Claims(rec, iss, longNow, 0)
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, c)
	}
	r, err := layout.NewRenderer(layout.Options{Created: longNow})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Render(cs[i%len(cs)], "SP1:TEST", nil); err != nil {
			b.Fatal(err)
		}
	}
}
