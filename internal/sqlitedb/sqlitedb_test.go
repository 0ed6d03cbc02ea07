package sqlitedb

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testSchema = Schema{
	Name:          "test database",
	Hint:          "give a test database",
	ApplicationID: 0x54455354,
	Migrations:    []string{"CREATE TABLE a (x INTEGER)", "CREATE TABLE b (y INTEGER)"},
}

func TestOpenMigratesAndMarks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	if _, err := Open(path, &testSchema, Existing); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Existing mode on a missing file: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("Existing mode created the file")
	}
	db, err := Open(path, &testSchema, Create)
	if err != nil {
		t.Fatal(err)
	}
	var appID, version int64
	db.QueryRow("PRAGMA application_id").Scan(&appID)
	db.QueryRow("PRAGMA user_version").Scan(&version)
	if appID != int64(testSchema.ApplicationID) || version != 2 {
		t.Fatalf("application_id %#x user_version %d", appID, version)
	}
	if _, err := db.Exec("INSERT INTO b (y) VALUES (1)"); err != nil {
		t.Fatalf("the second migration did not run: %v", err)
	}
	db.Close()

	// A schema that knows only the first migration refuses the file and leaves it as it was.
	older := testSchema
	older.Migrations = older.Migrations[:1]
	before, _ := os.ReadFile(path)
	if _, err := Open(path, &older, Existing); err == nil || !strings.Contains(err.Error(), "upgrade passport") {
		t.Fatalf("a newer file opened with an older schema: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("refusing a newer file changed it")
	}

	// Another application's database is refused by its application_id.
	other := testSchema
	other.ApplicationID = 0x4f544852
	if _, err := Open(path, &other, Existing); err == nil || !strings.Contains(err.Error(), "another application") {
		t.Fatalf("another application's file: %v", err)
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	// A SQLite database with tables but no application id: not ours.
	foreign := filepath.Join(dir, "foreign.db")
	raw, err := sql.Open("sqlite3", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	text := filepath.Join(dir, "text.db")
	os.WriteFile(text, []byte("hello"), 0o644)
	for _, c := range []struct {
		path string
		mode Mode
		want string
	}{
		{foreign, Create, "not a test database"},
		{empty, Existing, "empty file"},
		{text, Create, "not a SQLite database"},
		{filepath.Join(dir, "a#b.db"), Create, "'?' or '#'"},
		{filepath.Join(dir, "missing", "x.db"), Create, "directory"},
	} {
		if db, err := Open(c.path, &testSchema, c.mode); err == nil {
			db.Close()
			t.Errorf("%s opened", c.path)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.path, err, c.want)
		}
	}
}
