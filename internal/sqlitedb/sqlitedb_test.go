package sqlitedb

import (
	"bytes"
	"context"
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

// TestOpenNamesExactFile: '?', '#' and '%' are part of the file name, never
// a SQLite URI's options or fragment (which would open another file).
func TestOpenNamesExactFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"ward#3.db", "what?.db", "100%.db", "file:x.db"} {
		path := filepath.Join(dir, name)
		db, err := Open(path, &testSchema, Create)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		db.Close()
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Errorf("%s: the named file was not written (%v)", name, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 4 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files %q, want exactly the four named", names)
	}
}

// TestOpenAdoptsLegacyFile: a file of ours from before it was marked (tables,
// user_version 0) is recognised by the schema's Legacy hook, marked, and
// migrated from the version the hook names; without the hook it is refused.
func TestOpenAdoptsLegacyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if db, err := Open(path, &testSchema, Existing); err == nil {
		db.Close()
		t.Fatal("an unmarked file opened without a Legacy hook")
	}
	s := testSchema
	s.Legacy = func(q Querier) (int64, error) {
		var n int
		err := q.QueryRowContext(context.Background(), "SELECT count(*) FROM sqlite_master WHERE name='a'").Scan(&n)
		return int64(n), err // table a alone is version 1
	}
	db, err := Open(path, &s, Existing)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var x, v, app int64
	if err := db.QueryRow("SELECT x FROM a").Scan(&x); err != nil || x != 7 {
		t.Errorf("old row: %d, %v", x, err)
	}
	if _, err := db.Exec("INSERT INTO b VALUES (1)"); err != nil {
		t.Errorf("migration 2 did not run: %v", err)
	}
	db.QueryRow("PRAGMA user_version").Scan(&v)
	db.QueryRow("PRAGMA application_id").Scan(&app)
	if v != 2 || app != int64(testSchema.ApplicationID) {
		t.Errorf("user_version %d application_id %#x, want 2 and %#x", v, app, testSchema.ApplicationID)
	}
}
