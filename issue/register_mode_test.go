package issue

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestRegisterFilesPrivate: the register and its WAL and shared-memory
// files are owner-only, whatever the umask, and an existing register
// readable by others is tightened when opened.
func TestRegisterFilesPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "register.db")
	reg, err := OpenRegister(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.NewBatch("b1", "staff.csv", time.Now()); err != nil {
		t.Fatal(err)
	}
	// While it is open the WAL and shared memory exist.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), m)
		}
	}
	reg.Close()

	os.Chmod(path, 0o644)
	reg, err = OpenRegister(path)
	if err != nil {
		t.Fatal(err)
	}
	reg.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("an existing register readable by others stayed %o", fi.Mode().Perm())
	}

	// A file that is not a database keeps its mode: the open refuses it.
	other := filepath.Join(dir, "notes.txt")
	os.WriteFile(other, []byte("not a register"), 0o644)
	if _, err := OpenRegister(other); err == nil {
		t.Fatal("a text file was opened as a register")
	}
	if fi, _ := os.Stat(other); fi.Mode().Perm() != 0o644 {
		t.Errorf("a refused file's mode was changed to %o", fi.Mode().Perm())
	}
}
