package sitedb

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"testing"

	"passport/trust"
)

// marker is the one credential id bundle version v revokes.
func marker(v int64) []byte {
	id := make([]byte, 16)
	copy(id, "version-")
	binary.BigEndian.PutUint64(id[8:], uint64(v))
	return id
}

// torn reads one verification's worth from store (the list's version, then
// the revocations of two credentials) and reports whether they disagree:
// version v revokes marker(v) and nothing else.
func torn(t *testing.T, store trust.TrustStore) bool {
	info, err := store.Info()
	if err != nil {
		t.Error(err)
		return false
	}
	v := info.Version
	if v == 0 {
		return false
	}
	own, err := store.Revocation(marker(v))
	if err != nil {
		t.Error(err)
		return false
	}
	prev, err := store.Revocation(marker(v - 1))
	if err != nil {
		t.Error(err)
		return false
	}
	return own == nil || prev != nil
}

// TestSnapshotNoTornReads imports bundles through one handle (as another
// process would: its own connections and caches) while readers verify
// through another. Every snapshot's version matches the revocations it
// reads. The same reads without a snapshot are counted too, to show the
// race the snapshot closes (not asserted: it depends on scheduling).
func TestSnapshotNoTornReads(t *testing.T) {
	db, path := openTemp(t)
	a := newAuthority(t)
	pin(t, db, a)
	entry := bundleEntry(t, "RSN")
	const versions = 60
	bundles := make([][]byte, versions+1)
	for v := int64(1); v <= versions; v++ {
		bundles[v] = sign(t, a, &trust.Bundle{Version: v, Issuers: []trust.BundleIssuer{entry}, Revoked: [][]byte{marker(v)}})
	}
	if _, err := db.ImportBundle(bundles[1], ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	writer, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()

	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer done.Store(true)
		for v := int64(2); v <= versions; v++ {
			if _, err := writer.ImportBundle(bundles[v], ImportOptions{Now: testNow}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var snapTorn, plainTorn, snaps, plains atomic.Int64
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				view, release, err := trust.Snapshot(db)
				if err != nil {
					t.Error(err)
					return
				}
				if torn(t, view) {
					snapTorn.Add(1)
				}
				release()
				snaps.Add(1)
				if torn(t, db) {
					plainTorn.Add(1)
				}
				plains.Add(1)
			}
		}()
	}
	wg.Wait()
	if got, _ := db.Info(); got.Version != versions {
		t.Fatalf("version %d in force after the imports, want %d", got.Version, versions)
	}
	t.Logf("torn: %d of %d snapshot verifications, %d of %d without a snapshot", snapTorn.Load(), snaps.Load(), plainTorn.Load(), plains.Load())
	if snapTorn.Load() != 0 {
		t.Fatalf("%d of %d verifications through a snapshot read a version whose revocations were not the ones applied", snapTorn.Load(), snaps.Load())
	}
	if snaps.Load() < 50 {
		t.Fatalf("only %d verifications ran during the imports: the test proves nothing", snaps.Load())
	}
}

// A closed snapshot answers nothing, and Close twice is harmless.
func TestSnapshotClose(t *testing.T) {
	db, _ := openTemp(t)
	s, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Info(); err == nil {
		t.Fatal("a closed snapshot answered Info")
	}
	// The connection went back to the pool outside any transaction: an
	// import still works.
	a := newAuthority(t)
	pin(t, db, a)
	if _, err := db.ImportBundle(sign(t, a, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bundleEntry(t, "RSC")}}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
}

// The reads of one verification (Info, Key, Revocation), without and with
// a snapshot: the snapshot adds a BEGIN, a generation read and a COMMIT.
func BenchmarkVerificationReads(b *testing.B) {
	db, _ := openTemp(b)
	a := newAuthority(b)
	pin(b, db, a)
	entry := bundleEntry(b, "RBR")
	if _, err := db.ImportBundle(sign(b, a, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{entry}, Revoked: revokedIDs(1000)}), ImportOptions{Now: testNow}); err != nil {
		b.Fatal(err)
	}
	reads := func(b *testing.B, s trust.TrustStore) {
		if _, err := s.Info(); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Key(entry.KID); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Revocation(marker(1)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("plain", func(b *testing.B) {
		for range b.N {
			reads(b, db)
		}
	})
	b.Run("snapshot", func(b *testing.B) {
		for range b.N {
			view, release, err := trust.Snapshot(db)
			if err != nil {
				b.Fatal(err)
			}
			reads(b, view)
			release()
		}
	})
}
