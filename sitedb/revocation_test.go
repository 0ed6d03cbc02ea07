package sitedb

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"passport/trust"
)

// TestOldFormatBundleImports: a bundle as the first release wrote it (keys
// 1-5, no revocation reasons; encoded here with the first release's wire
// struct, not today's code) still imports, and its ids are revoked from
// the start with no reason.
func TestOldFormatBundleImports(t *testing.T) {
	db, _ := openTemp(t)
	auth := newAuthority(t)
	pin(t, db, auth)
	type oldIssuer struct {
		KID         []byte `cbor:"1,keyasint"`
		OrgCode     string `cbor:"2,keyasint"`
		OrgName     string `cbor:"3,keyasint"`
		PublicKey   []byte `cbor:"4,keyasint"`
		Certificate []byte `cbor:"5,keyasint,omitempty"`
		ValidFrom   *int64 `cbor:"6,keyasint,omitempty"`
		ValidUntil  *int64 `cbor:"7,keyasint,omitempty"`
		Status      int    `cbor:"8,keyasint"`
	}
	type oldBundle struct {
		Version int64       `cbor:"1,keyasint"`
		Issued  int64       `cbor:"2,keyasint"`
		Expires int64       `cbor:"3,keyasint"`
		Issuers []oldIssuer `cbor:"4,keyasint"`
		Revoked [][]byte    `cbor:"5,keyasint"`
	}
	bi := bundleEntry(t, "RXA")
	from, until := bi.ValidFrom.Unix(), bi.ValidUntil.Unix()
	cti := bytes.Repeat([]byte{0xab}, 16)
	enc, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		t.Fatal(err)
	}
	payload, err := enc.Marshal(oldBundle{Version: 1, Issued: testNow.Unix(), Expires: testNow.AddDate(0, 3, 0).Unix(),
		Issuers: []oldIssuer{{KID: bi.KID, OrgCode: bi.OrgCode, OrgName: bi.OrgName, PublicKey: bi.PublicKey,
			Certificate: bi.Certificate, ValidFrom: &from, ValidUntil: &until}},
		Revoked: [][]byte{cti}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.ImportBundle(signPayload(t, auth, payload), ImportOptions{Now: testNow})
	if err != nil {
		t.Fatalf("an old-format bundle was refused: %v", err)
	}
	if len(rep.Bundle.Revocations) != 0 || len(rep.Bundle.Revoked) != 1 {
		t.Fatalf("bundle read as %+v", rep.Bundle)
	}
	// Today's encoder writes the same bytes for a bundle without reasons.
	again, err := trust.MarshalBundle(rep.Bundle)
	if err != nil || !bytes.Equal(again, payload) {
		t.Fatalf("a bundle without reasons is no longer the first release's format (%v)", err)
	}
	r, err := db.Revocation(cti)
	if err != nil || r == nil || r.Reason != 0 || !r.From.IsZero() || !r.AppliesAt(time.Unix(0, 0)) {
		t.Fatalf("Revocation = %+v, %v", r, err)
	}
}

// TestImportRevocationReasons: reasons and start times survive the import
// and a reopen; an id without them reads as before; a later import
// replaces them all.
func TestImportRevocationReasons(t *testing.T) {
	db, path := openTemp(t)
	auth := newAuthority(t)
	pin(t, db, auth)
	ids := revokedIDs(4)
	from := testNow.Add(-48 * time.Hour)
	data := sign(t, auth, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bundleEntry(t, "RXA")}, Revoked: [][]byte{ids[0]},
		Revocations: []trust.RevokedEntry{
			{ID: ids[1], Revocation: trust.Revocation{Reason: 1, From: from}},
			{ID: ids[2], Revocation: trust.Revocation{Reason: 4}},
			{ID: ids[3], Revocation: trust.Revocation{Reason: 99, From: testNow.AddDate(0, 1, 0)}},
		}})
	if _, err := db.ImportBundle(data, ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err := OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := []struct {
		code    string
		from    time.Time
		applies bool
	}{{"", time.Time{}, true}, {"superseded", from, true}, {"withdrawn_for_cause", time.Time{}, true}, {"reason_99", testNow.AddDate(0, 1, 0), false}}
	for i, w := range want {
		r, err := db.Revocation(ids[i])
		if err != nil || r == nil || r.ReasonCode() != w.code || !r.From.Equal(w.from) || r.AppliesAt(testNow) != w.applies {
			t.Errorf("id %d: %+v, %v; want %s from %v (applies now: %v)", i, r, err, w.code, w.from, w.applies)
		}
	}
	if info, _ := db.Info(); info.Revoked != 4 {
		t.Errorf("Info counts %d revoked ids, want 4", info.Revoked)
	}
	data = sign(t, auth, &trust.Bundle{Version: 2, Issuers: []trust.BundleIssuer{bundleEntry(t, "RXA")}, Revoked: [][]byte{ids[1]}})
	if _, err := db.ImportBundle(data, ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if r, _ := db.Revocation(ids[1]); r == nil || r.Reason != 0 || !r.From.IsZero() {
		t.Errorf("after a bundle without its reason: %+v", r)
	}
	if r, _ := db.Revocation(ids[2]); r != nil {
		t.Errorf("an id the new bundle does not list is still revoked: %+v", r)
	}
}

// TestMigrateVersion2Revocations: a version-2 file's revoked ids keep
// applying from the start, with no reason, after the migration.
func TestMigrateVersion2Revocations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(migrations[0] + migrations[1] + `
INSERT INTO revoked_credentials (cti) VALUES (x'0102');
PRAGMA application_id = 1347637332;
PRAGMA user_version = 2;`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := OpenExisting(path)
	if err != nil {
		t.Fatalf("migrating a version-2 file: %v", err)
	}
	defer db.Close()
	r, err := db.Revocation([]byte{1, 2})
	if err != nil || r == nil || r.Reason != 0 || !r.From.IsZero() {
		t.Fatalf("after migration: %+v, %v", r, err)
	}
}

// TestRevokedIDLengths: the in-memory revoked set keeps 16-byte ids (a
// passport's cti) apart from ids of other lengths (a DCC's ci); an id
// of either kind, with or without a reason and time, reads back the same
// through the store and a snapshot, and an id that is a prefix, an
// extension or a neighbour of a revoked one is not revoked.
func TestRevokedIDLengths(t *testing.T) {
	db, _ := openTemp(t)
	auth := newAuthority(t)
	pin(t, db, auth)
	from := testNow.Add(-time.Hour)
	cti := bytes.Repeat([]byte{0x5a}, ctiLen)
	ci := []byte("URN:UVCI:01:DE:ABC123#X")
	short := []byte{1}
	long := bytes.Repeat([]byte{0x77}, trust.MaxRevokedIDLen)
	data := sign(t, auth, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bundleEntry(t, "RXL")},
		Revoked: [][]byte{cti, short},
		Revocations: []trust.RevokedEntry{
			{ID: ci, Revocation: trust.Revocation{Reason: 2, From: from}},
			{ID: long, Revocation: trust.Revocation{Reason: 7}},
		}})
	if _, err := db.ImportBundle(data, ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	cases := []struct {
		id     []byte
		want   *trust.Revocation
		reason string
	}{
		{cti, &trust.Revocation{}, "cti"},
		{short, &trust.Revocation{}, "one-byte id"},
		{ci, &trust.Revocation{Reason: 2, From: from}, "ci with reason and time"},
		{long, &trust.Revocation{Reason: 7}, "longest id"},
		{append(bytes.Clone(cti[:ctiLen-1]), 0x5b), nil, "a cti's neighbour"},
		{ci[:len(ci)-1], nil, "a prefix of a ci"},
		{append(bytes.Clone(ci), 'Y'), nil, "a ci extended"},
		{append(bytes.Clone(short), ci...), nil, "two revoked ids run together"},
		{cti[:ctiLen-1], nil, "a 15-byte prefix of a cti"},
	}
	for _, tc := range cases {
		for name, s := range map[string]trust.TrustStore{"store": db, "snapshot": snap} {
			got, err := s.Revocation(tc.id)
			if err != nil {
				t.Fatalf("%s, %s: %v", tc.reason, name, err)
			}
			switch {
			case (got == nil) != (tc.want == nil):
				t.Errorf("%s, %s: revocation %+v, want %+v", tc.reason, name, got, tc.want)
			case got != nil && (got.Reason != tc.want.Reason || !got.From.Equal(tc.want.From)):
				t.Errorf("%s, %s: revocation %+v, want %+v", tc.reason, name, got, tc.want)
			}
		}
	}
	if info, _ := snap.Info(); info.Revoked != 4 {
		t.Errorf("Info counts %d revoked ids, want 4", info.Revoked)
	}
}

// TestRevokedSetReused: a trust change that is not an import (here a
// directly trusted certificate, by this process and by another) reloads
// the keys but reuses the revoked set, which only an import changes; the
// next import reads the new set.
func TestRevokedSetReused(t *testing.T) {
	db, path := openTemp(t)
	auth := newAuthority(t)
	pin(t, db, auth)
	ids := revokedIDs(3)
	import1 := sign(t, auth, &trust.Bundle{Version: 1, Issuers: []trust.BundleIssuer{bundleEntry(t, "RXR")}, Revoked: ids[:2]})
	if _, err := db.ImportBundle(import1, ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	revoked := func(id []byte) bool {
		t.Helper()
		s, err := db.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		r, err := s.Revocation(id)
		if err != nil {
			t.Fatal(err)
		}
		return r != nil
	}
	if !revoked(ids[0]) || revoked(ids[2]) {
		t.Fatal("version 1's revocations not applied")
	}
	loads, revLoads := db.loads.Load(), db.revokedLoads.Load()
	if _, err := db.AddCertificate(issuerCert(t, "RXD")); err != nil {
		t.Fatal(err)
	}
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.AddCertificate(issuerCert(t, "RXE")); err != nil {
		t.Fatal(err)
	}
	if !revoked(ids[1]) || revoked(ids[2]) {
		t.Fatal("revocations changed by trusting a certificate")
	}
	if info, _ := db.Info(); info.Issuers != 3 || info.Revoked != 2 {
		t.Fatalf("Info after two certificates: %+v", info)
	}
	if db.loads.Load() == loads {
		t.Fatal("the view was not reloaded after the trust changes")
	}
	if got := db.revokedLoads.Load() - revLoads; got != 0 {
		t.Fatalf("trusting certificates read the revoked list %d times, want none", got)
	}
	// Another process imports version 2: a new bundle, a new set.
	import2 := sign(t, auth, &trust.Bundle{Version: 2, Issuers: []trust.BundleIssuer{bundleEntry(t, "RXR")}, Revoked: ids[1:]})
	if _, err := other.ImportBundle(import2, ImportOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if revoked(ids[0]) || !revoked(ids[2]) {
		t.Fatal("version 2's revocations not applied")
	}
	if got := db.revokedLoads.Load() - revLoads; got != 1 {
		t.Fatalf("importing a new bundle read the revoked list %d times, want 1", got)
	}
}
