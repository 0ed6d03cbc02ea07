package trustsync

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passport/trust"
)

func TestPublish(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(t.TempDir(), "www")
	b2 := w.bundle(t, 2)
	idx, err := Publish(dir, b2, "trust-2.bundle")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, IndexFileName))
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseIndex(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.Version != 2 || back.File != "trust-2.bundle" || back.Size != int64(len(b2)) || back.SHA256 != idx.SHA256 || !back.Expires.Equal(idx.Expires) {
		t.Fatalf("index read back %+v, want %+v", back, idx)
	}
	if have, _ := os.ReadFile(filepath.Join(dir, "trust-2.bundle")); !bytes.Equal(have, b2) {
		t.Fatal("the published bundle is not the bundle given")
	}
	// The same bytes again: nothing changes, no error.
	if _, err := Publish(dir, b2, "trust-2.bundle"); err != nil {
		t.Fatalf("re-publishing the same bundle: %v", err)
	}
	// An older version, or another bundle as the same version, is refused.
	if _, err := Publish(dir, w.bundle(t, 1), "trust-1.bundle"); !errors.Is(err, ErrPublishRollback) {
		t.Fatalf("older version: %v", err)
	}
	if _, err := Publish(dir, w.bundle(t, 2), "trust-2b.bundle"); !errors.Is(err, ErrPublishRollback) {
		t.Fatalf("same version, other bundle: %v", err)
	}
	// A name already taken by other bytes is never overwritten.
	if _, err := Publish(dir, w.bundle(t, 3), "trust-2.bundle"); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Fatalf("overwrite: %v", err)
	}
	if have, _ := os.ReadFile(filepath.Join(dir, "trust-2.bundle")); !bytes.Equal(have, b2) {
		t.Fatal("a refused publish changed the bundle file")
	}
	// Not a bundle, or a file name with a directory in it.
	if _, err := Publish(dir, []byte("hello"), "x.bundle"); !errors.Is(err, trust.ErrBundleMalformed) {
		t.Fatalf("not a bundle: %v", err)
	}
	if _, err := Publish(dir, w.bundle(t, 4), "../x.bundle"); err == nil {
		t.Fatal("a file name with a directory was accepted")
	}
	// Older bundles stay; the index moves on.
	if _, err := Publish(dir, w.bundle(t, 4), "trust-4.bundle"); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "index.json trust-2.bundle trust-4.bundle" {
		t.Fatalf("directory holds %v (no temporary files may remain)", names)
	}
}

func TestParseIndex(t *testing.T) {
	good := `{"format":"passport-trust-index/1","version":3,"issued":"2026-01-01T00:00:00Z","expires":"2027-01-01T00:00:00Z",` +
		`"sha256":"` + strings.Repeat("ab", 32) + `","size":1200,"file":"trust-3.bundle"}`
	if _, err := ParseIndex([]byte(good)); err != nil {
		t.Fatalf("good index: %v", err)
	}
	bad := map[string]string{
		"not JSON":         `trust-3.bundle`,
		"other format":     strings.Replace(good, "index/1", "index/2", 1),
		"zero version":     strings.Replace(good, `"version":3`, `"version":0`, 1),
		"negative size":    strings.Replace(good, `"size":1200`, `"size":-1`, 1),
		"size over cap":    strings.Replace(good, `"size":1200`, `"size":67108865`, 1),
		"short sha":        strings.Replace(good, strings.Repeat("ab", 32), "abcd", 1),
		"upper-case sha":   strings.Replace(good, strings.Repeat("ab", 32), strings.Repeat("AB", 32), 1),
		"path in name":     strings.Replace(good, "trust-3.bundle", "../../etc/passwd", 1),
		"backslash":        strings.Replace(good, "trust-3.bundle", `..\\site.db`, 1),
		"URL in name":      strings.Replace(good, "trust-3.bundle", "http://evil/x", 1),
		"query in name":    strings.Replace(good, "trust-3.bundle", "x?y", 1),
		"dot-dot":          strings.Replace(good, "trust-3.bundle", "..", 1),
		"empty name":       strings.Replace(good, "trust-3.bundle", "", 1),
		"control in name":  strings.Replace(good, "trust-3.bundle", `a\u0000b`, 1),
		"escaped in name":  strings.Replace(good, "trust-3.bundle", "a%2fb", 1),
		"over size cap":    good + strings.Repeat(" ", MaxIndexBytes),
		"wrong field type": strings.Replace(good, `"version":3`, `"version":"3"`, 1),
	}
	for name, in := range bad {
		if _, err := ParseIndex([]byte(in)); !errors.Is(err, ErrIndex) {
			t.Errorf("%s: got %v, want ErrIndex", name, err)
		}
	}
}

func FuzzParseIndex(f *testing.F) {
	f.Add([]byte(`{"format":"passport-trust-index/1","version":3,"sha256":"` + strings.Repeat("0", 64) + `","size":1,"file":"a"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ParseIndex(data)
		if err != nil {
			return
		}
		if checkFileName(x.File) != nil || x.Size > trust.MaxBundleBytes || x.Version <= 0 {
			t.Fatalf("accepted a bad index: %+v", x)
		}
		again, err := x.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseIndex(again); err != nil {
			t.Fatalf("re-encoded index refused: %v", err)
		}
	})
}
