package csvout

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
)

// DataWriter's records read back exactly, formula characters included.
func TestDataWriterRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := NewDataWriter(&b)
	rec := []string{"-DASH", "#1 Trust", "=1+1", `a "quoted", name`, "@x"}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&b).Read()
	if err != nil || !slices.Equal(got, rec) {
		t.Fatalf("read back %q, %v; want %q", got, err, rec)
	}
}
