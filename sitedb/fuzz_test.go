package sitedb

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen: opening an arbitrary file as a trust store and reading it never
// panics; a file Open accepts answers every TrustStore method.
func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	seed := filepath.Join(dir, "seed.db")
	db, err := Open(seed)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := db.AddCertificate(issuerCert(f, "RXX")); err != nil {
		f.Fatal(err)
	}
	db.Close()
	data, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("SQLite format 3\x00"))
	f.Add([]byte("not a database"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path)
		if err != nil {
			return
		}
		defer db.Close()
		db.Keys()
		db.Key([]byte("12345678"))
		db.IsRevoked([]byte("0123456789abcdef"))
		db.Info()
	})
}
