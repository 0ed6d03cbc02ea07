package sitedb

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOpenTakesPathLiterally: '?' and '#' in --db are part of the file
// name. "a?mode=memory" must not become an in-memory database that loses
// every trust change, nor "ward#3.db" a file called "ward".
func TestOpenTakesPathLiterally(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a?mode=memory", "ward#3.db"} {
		p := filepath.Join(dir, name)
		db, err := Open(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		db.Close()
		db, err = OpenExisting(p) // the same file, with its schema
		if err != nil {
			t.Fatalf("%s reopened: %v", name, err)
		}
		db.Close()
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: not written under its own name (%v)", name, err)
		}
	}
	for _, stray := range []string{"a", "ward"} {
		if _, err := os.Stat(filepath.Join(dir, stray)); err == nil {
			t.Errorf("a file %q was created", stray)
		}
	}
}
