package trustsync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"passport/keys"
	"passport/sitedb"
	"passport/trust"
)

// freshSource publishes bundles naming a timestamp key, and statements.
type freshSource struct {
	w   *world
	ts  *keys.TimestampKey
	dir string
}

func (f *freshSource) publish(t *testing.T, v int64, issued time.Time) []byte {
	t.Helper()
	bi, err := trust.IssuerFromCertificate(f.w.iss.Cert)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := f.ts.PublicDER()
	data, err := f.w.auth.SignBundle(&trust.Bundle{Version: v, Issued: issued, Expires: issued.AddDate(1, 0, 0),
		Issuers: []trust.BundleIssuer{bi}, TimestampKey: pub, FreshFor: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(f.dir, data, fmt.Sprintf("trust-%d.bundle", v)); err != nil {
		t.Fatal(err)
	}
	return data
}

func (f *freshSource) stamp(t *testing.T, k *keys.TimestampKey, at time.Time) {
	t.Helper()
	bundle, _, err := PublishedBundle(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := k.SignStatement(bundle, at, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PublishStatement(f.dir, st); err != nil {
		t.Fatal(err)
	}
}

// A frozen source (the same old bundle and statement) makes the list
// unconfirmed once the statement runs out; a fresh statement confirms it
// again; a statement signed by another key is refused and changes nothing.
func TestSyncFreshness(t *testing.T) {
	w := newWorld(t)
	ts, err := keys.NewTimestampKey()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Second)
	src := &freshSource{w: w, ts: ts, dir: t.TempDir()}
	src.publish(t, 1, start)
	src.stamp(t, ts, start)
	now := start
	s, err := New(w.db, src.dir, Options{Timeout: 20 * time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Sync(context.Background())
	if err != nil || res.Outcome != Imported || !res.StatementRecorded {
		t.Fatalf("first sync: %+v %v", res, err)
	}
	state := func() string {
		info, err := w.db.Info()
		if err != nil {
			t.Fatal(err)
		}
		return info.StateAt(now)
	}
	if got := state(); got != trust.ListCurrent {
		t.Fatalf("state %s after the first sync", got)
	}

	// Frozen: two days later the source still serves the same files. The
	// sync says so (the statement has expired), and the list is unconfirmed.
	now = start.Add(48 * time.Hour)
	if _, err = s.Sync(context.Background()); !errors.Is(err, sitedb.ErrStatementRefused) {
		t.Fatalf("frozen source: %v, want the expired statement refused", err)
	}
	if got := state(); got != trust.ListUnconfirmed {
		t.Fatalf("state %s from a frozen source, want unconfirmed", got)
	}
	if st := s.Status(); !st.ConfirmedUntil.Equal(start.Add(24 * time.Hour)) {
		t.Fatalf("status confirmed until %v", st.ConfirmedUntil)
	}

	// A statement signed by another key: refused, nothing changes.
	other, _ := keys.NewTimestampKey()
	pub, _ := other.PublicDER()
	bundle, _, _ := PublishedBundle(src.dir)
	sb, _ := trust.ParseSignedBundle(bundle)
	b, _ := sb.UnverifiedBundle()
	b.TimestampKey = pub
	fake, _ := keys.NewAuthority()
	refake, err := fake.SignBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	forged, _, err := other.SignStatement(refake, now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src.dir, StatementFileName), forged, 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := w.db.Info()
	if _, err := s.Sync(context.Background()); !errors.Is(err, trust.ErrStatement) {
		t.Fatalf("forged statement: %v", err)
	}
	if after, _ := w.db.Info(); after != before {
		t.Fatalf("a refused statement changed the list: %+v → %+v", before, after)
	}

	// A fresh statement from the real key: current again.
	src.stamp(t, ts, now)
	if res, err = s.Sync(context.Background()); err != nil || !res.StatementRecorded {
		t.Fatalf("fresh statement: %+v %v", res, err)
	}
	if got := state(); got != trust.ListCurrent {
		t.Fatalf("state %s after a fresh statement", got)
	}

	// A source that stops publishing statements is a failure the status shows.
	os.Remove(filepath.Join(src.dir, StatementFileName))
	if _, err := s.Sync(context.Background()); !errors.Is(err, ErrNoStatement) {
		t.Fatalf("no statement: %v", err)
	}
}

// Over HTTP the statement is fetched conditionally: an unchanged one costs
// a 304, and it is at most trust.MaxStatementBytes.
func TestSyncStatementConditional(t *testing.T) {
	w := newWorld(t)
	ts, _ := keys.NewTimestampKey()
	start := time.Now().UTC().Truncate(time.Second)
	src := &freshSource{w: w, ts: ts, dir: t.TempDir()}
	src.publish(t, 1, start)
	src.stamp(t, ts, start)
	fi, err := os.Stat(filepath.Join(src.dir, StatementFileName))
	if err != nil || fi.Size() > trust.MaxStatementBytes {
		t.Fatalf("statement file: %v, %d bytes", err, fi.Size())
	}
	srv := newServer(t, src.dir)
	s := newSyncer(t, w.db, srv.URL)
	for range 3 {
		if _, err := s.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.count("/" + StatementFileName); n != 3 {
		t.Fatalf("statement fetched %d times, want 3", n)
	}
	if srv.n304.Load() < 4 { // index twice, statement twice
		t.Fatalf("%d answers were 304, want the index's and the statement's repeats", srv.n304.Load())
	}
}
