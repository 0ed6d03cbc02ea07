package sitedb

import (
	"errors"
	"testing"
	"time"

	"passport/keys"
	"passport/trust"
)

// freshWorld is a store with a bundle in force that names a timestamp key.
type freshWorld struct {
	db     *DB
	a      *keys.Authority
	ts     *keys.TimestampKey
	bundle []byte
}

func newFreshWorld(t *testing.T, freshFor time.Duration) *freshWorld {
	t.Helper()
	db, _ := openTemp(t)
	a := newAuthority(t)
	pin(t, db, a)
	ts, err := keys.NewTimestampKey()
	if err != nil {
		t.Fatal(err)
	}
	w := &freshWorld{db: db, a: a, ts: ts}
	w.bundle = w.sign(t, 1, freshFor)
	if _, err := db.ImportBundle(w.bundle, ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *freshWorld) sign(t *testing.T, v int64, freshFor time.Duration) []byte {
	t.Helper()
	pub, err := w.ts.PublicDER()
	if err != nil {
		t.Fatal(err)
	}
	return sign(t, w.a, &trust.Bundle{Version: v, Issuers: []trust.BundleIssuer{bundleEntry(t, "RFR")},
		Revoked: [][]byte{marker(v)}, TimestampKey: pub, FreshFor: freshFor})
}

func (w *freshWorld) statement(t *testing.T, k *keys.TimestampKey, bundle []byte, at time.Time, life time.Duration) []byte {
	t.Helper()
	data, _, err := k.SignStatement(bundle, at, life)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func (w *freshWorld) info(t *testing.T) trust.ListInfo {
	t.Helper()
	info, err := w.db.Info()
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// The frozen-source case: the bundle alone is confirmed for its fresh-for;
// after that the list is unconfirmed until a statement signed by the
// bundle's timestamp key says it is still the newest.
func TestFreshnessStatements(t *testing.T) {
	w := newFreshWorld(t, 7*24*time.Hour)
	info := w.info(t)
	if !info.Confirmable || !info.ConfirmedUntil.Equal(testNow.Add(7*24*time.Hour)) {
		t.Fatalf("bundle alone: %+v, want confirmed until issue + 7 days", info)
	}
	later := testNow.AddDate(0, 0, 10)
	if got := info.StateAt(later); got != trust.ListUnconfirmed {
		t.Fatalf("10 days on, no statement: state %s, want unconfirmed", got)
	}
	if got := info.StateAt(testNow.Add(time.Hour)); got != trust.ListCurrent {
		t.Fatalf("within fresh-for: state %s", got)
	}

	// A fresh statement confirms it again, through the snapshot too.
	st := w.statement(t, w.ts, w.bundle, later, 24*time.Hour)
	if rep, err := w.db.RecordStatement(st, later); err != nil || rep.Unchanged {
		t.Fatalf("record: %+v %v", rep, err)
	}
	snap, err := w.db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	sinfo, _ := snap.Info()
	snap.Close()
	if !sinfo.ConfirmedUntil.Equal(later.Add(24*time.Hour)) || sinfo.StateAt(later.Add(time.Hour)) != trust.ListCurrent {
		t.Fatalf("after the statement: %+v", sinfo)
	}
	if rep, err := w.db.RecordStatement(st, later); err != nil || !rep.Unchanged {
		t.Fatalf("the same statement again: %+v %v", rep, err)
	}
	before := state(t, w.db) + w.info(t).ConfirmedUntil.String()

	other, err := keys.NewTimestampKey()
	if err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		name string
		data []byte
		now  time.Time
		want error
	}{
		{"signed by another key", signOtherKey(t, other, w.bundle, later.Add(time.Hour)), later.Add(time.Hour), trust.ErrStatement},
		{"older than the recorded one", w.statement(t, w.ts, w.bundle, later.Add(-time.Hour), 48*time.Hour), later.Add(time.Hour), ErrStatementRefused},
		{"expired", w.statement(t, w.ts, w.bundle, later.Add(2*time.Hour), time.Hour), later.Add(4 * time.Hour), ErrStatementRefused},
		{"dated ahead", w.statement(t, w.ts, w.bundle, later.Add(48*time.Hour), time.Hour), later, ErrStatementRefused},
		{"not a statement", w.bundle[:200], later, trust.ErrStatement},
	}
	for _, tc := range refusals {
		if _, err := w.db.RecordStatement(tc.data, tc.now); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if got := state(t, w.db) + w.info(t).ConfirmedUntil.String(); got != before {
			t.Fatalf("%s: a refused statement changed the store", tc.name)
		}
	}

	// A statement for a newer bundle is recorded but confirms nothing
	// here: it says a newer list is published.
	v2 := w.sign(t, 2, 0)
	if _, err := w.db.RecordStatement(w.statement(t, w.ts, v2, later.Add(3*time.Hour), 24*time.Hour), later.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	info = w.info(t)
	if info.StatementVersion != 2 || !info.ConfirmedUntil.Equal(testNow.Add(7*24*time.Hour)) {
		t.Fatalf("after a statement for v2: %+v", info)
	}
	// Importing v2 (fresh-for 0) makes that statement the one that confirms it.
	if _, err := w.db.ImportBundle(v2, ImportOptions{Now: later.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if info = w.info(t); !info.ConfirmedUntil.Equal(later.Add(27 * time.Hour)) {
		t.Fatalf("v2 with its statement: confirmed until %v", info.ConfirmedUntil)
	}
	// Then a statement for v1 is a rollback.
	if _, err := w.db.RecordStatement(w.statement(t, w.ts, w.bundle, later.Add(5*time.Hour), time.Hour), later.Add(5*time.Hour)); !errors.Is(err, ErrStatementRefused) {
		t.Fatalf("statement for v1 with v2 in force: %v", err)
	}
}

// A bundle without a timestamp key behaves as before: current until it
// expires, and statements are refused.
func TestNoTimestampKeyBehavesAsBefore(t *testing.T) {
	db, _ := openTemp(t)
	a := newAuthority(t)
	pin(t, db, a)
	data := sign(t, a, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bundleEntry(t, "RNT")}})
	if _, err := db.ImportBundle(data, ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	info, _ := db.Info()
	if info.Confirmable || info.StateAt(testNow.AddDate(0, 2, 0)) != trust.ListCurrent {
		t.Fatalf("%+v", info)
	}
	ts, _ := keys.NewTimestampKey()
	if _, err := db.RecordStatement(signOtherKey(t, ts, data, testNow), testNow); !errors.Is(err, ErrStatementRefused) {
		t.Fatalf("err = %v", err)
	}
}

// signOtherKey signs a statement for bundle with k, whatever key the bundle
// names (SignStatement refuses that).
func signOtherKey(t *testing.T, k *keys.TimestampKey, bundle []byte, at time.Time) []byte {
	t.Helper()
	sb, err := trust.ParseSignedBundle(bundle)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sb.UnverifiedBundle()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := k.PublicDER()
	b.TimestampKey = pub
	re := sign(t, newAuthority(t), b)
	data, _, err := k.SignStatement(re, at, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// It names re's hash, not bundle's; the signature check, which comes
	// first, is what refuses it.
	return data
}

// An issuer's contact travels from the bundle to the key verification gets.
func TestIssuerContact(t *testing.T) {
	db, _ := openTemp(t)
	a := newAuthority(t)
	pin(t, db, a)
	e := bundleEntry(t, "RCT")
	e.Contact = "Workforce team, 0114 000 0000"
	if _, err := db.ImportBundle(sign(t, a, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{e}}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	k, err := db.Key(e.KID)
	if err != nil {
		t.Fatal(err)
	}
	if k.Contact != e.Contact {
		t.Fatalf("contact %q, want %q", k.Contact, e.Contact)
	}
	bad := e
	bad.Contact = "call \x1b[31mnow"
	if _, err := a.SignBundle(&trust.Bundle{Version: 2, Issued: testNow, Expires: testNow.AddDate(0, 1, 0), Issuers: []trust.BundleIssuer{bad}}); !errors.Is(err, trust.ErrBundleMalformed) {
		t.Fatalf("a contact with an escape: %v", err)
	}
}

// The clock high-water mark: a clock set back before the bundle's issue
// time, or before the newest logged check, is caught; a clock within the
// skew of it is not.
func TestTimeFloor(t *testing.T) {
	db, _ := openTemp(t)
	if f, err := db.TimeFloor(); err != nil || !f.At.IsZero() {
		t.Fatalf("empty store: %+v %v", f, err)
	}
	a := newAuthority(t)
	pin(t, db, a)
	if _, err := db.ImportBundle(sign(t, a, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bundleEntry(t, "RCL")}}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	f, err := db.TimeFloor()
	if err != nil || !f.At.Equal(testNow) {
		t.Fatalf("after import: %+v %v", f, err)
	}
	const skew = 5 * time.Minute
	if err := trust.CheckClock(testNow.Add(-4*time.Minute), f, skew); err != nil {
		t.Fatalf("within the skew: %v", err)
	}
	err = trust.CheckClock(testNow.AddDate(-1, 0, 0), f, skew)
	if !errors.Is(err, trust.ErrClockBehind) {
		t.Fatalf("a year behind: %v", err)
	}
	t.Log(err)
	// A logged check later than the bundle raises the floor.
	later := testNow.Add(48 * time.Hour)
	if _, err := db.sql.Exec(`INSERT INTO station_log (at, status) VALUES (?, 'valid')`, later.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if f, err = db.TimeFloor(); err != nil || !f.At.Equal(later) || f.Source != "the last check was logged" {
		t.Fatalf("after a logged check: %+v %v", f, err)
	}
	if err := trust.CheckClock(testNow.Add(time.Hour), f, skew); !errors.Is(err, trust.ErrClockBehind) {
		t.Fatalf("behind the last logged check: %v", err)
	}
}

// Policies signed into the bundle are the site's to pick by name; the next
// bundle replaces them, as it replaces keys and revocations.
func TestBundlePolicies(t *testing.T) {
	db, _ := openTemp(t)
	a := newAuthority(t)
	pin(t, db, a)
	pol := []trust.BundlePolicy{{Name: "ward-nurse", JSON: []byte(`{"name":"Ward nurse"}`)}, {Name: "agency", JSON: []byte(`{"name":"Agency"}`)}}
	if _, err := db.ImportBundle(sign(t, a, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bundleEntry(t, "RPO")}, Policies: pol}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Policies()
	if err != nil || len(got) != 2 || got[0].Name != "agency" || got[1].Name != "ward-nurse" || string(got[1].JSON) != `{"name":"Ward nurse"}` || got[1].BundleVersion != 1 {
		t.Fatalf("policies %+v %v", got, err)
	}
	if _, err := db.Policy("theatre"); !errors.Is(err, ErrNoPolicy) {
		t.Fatalf("unknown name: %v", err)
	}
	if _, err := db.ImportBundle(sign(t, a, &trust.Bundle{Version: 2, Issuers: []trust.BundleIssuer{bundleEntry(t, "RPO")}}), ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Policies(); err != nil || len(got) != 0 {
		t.Fatalf("after a bundle without policies: %+v %v", got, err)
	}
	bad := &trust.Bundle{Version: 3, Issued: testNow, Expires: testNow.AddDate(0, 1, 0), Issuers: []trust.BundleIssuer{bundleEntry(t, "RPO")},
		Policies: []trust.BundlePolicy{{Name: "../etc", JSON: []byte("{}")}}}
	if _, err := a.SignBundle(bad); !errors.Is(err, trust.ErrBundleMalformed) {
		t.Fatalf("bad policy name: %v", err)
	}
}
