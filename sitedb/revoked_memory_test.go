package sitedb

import (
	"runtime"
	"testing"
	"time"
)

// liveHeap is the live heap's bytes and objects after a full collection.
func liveHeap() (bytes, objects uint64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.HeapObjects
}

// TestRevokedSetMemory: every verifier keeps the whole revoked list in
// memory, so it must stay small: 100,000 revoked ids (a national list's
// size) in under 100 bytes each, 16 of which are the id itself, and in a
// few hundred heap objects rather than one or more per id, which the
// garbage collector would walk on every cycle for the life of the process.
func TestRevokedSetMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a store with 100,000 revoked ids")
	}
	const n = 100000
	db, _ := openTemp(t)
	fill(t, db, 1, n)
	db.invalidate()
	before, beforeObjs := liveHeap()
	t0 := time.Now()
	v, err := db.latest()
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	after, afterObjs := liveHeap()
	if v.revoked.len() != n || v.info.Revoked != n {
		t.Fatalf("view holds %d revoked ids (info says %d), want %d", v.revoked.len(), v.info.Revoked, n)
	}
	per := float64(after-before) / n
	objs := int64(afterObjs) - int64(beforeObjs)
	t.Logf("%d revoked ids: %.0f bytes each in memory, %d heap objects, loaded in %v", n, per, objs, took)
	if per > 100 {
		t.Errorf("the revoked set costs %.0f bytes an id, want at most 100", per)
	}
	if objs > n/100 {
		t.Errorf("the revoked set is %d heap objects, want at most %d", objs, n/100)
	}
	runtime.KeepAlive(v)
}
