package verify_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"passport/sitedb"
	"passport/trust"
	"passport/verify"
)

// infoStore reports the list info given, over a MemoryStore's keys and
// revocations: only a sitedb store can be confirmed by a real statement,
// and these tests are about what the verifier does with the state.
type infoStore struct {
	trust.TrustStore
	info trust.ListInfo
}

func (s infoStore) Info() (trust.ListInfo, error) { return s.info, nil }

func hasWarning(r verify.Result, code string) *verify.Reason {
	for i := range r.Warnings {
		if string(r.Warnings[i].Code) == code {
			return &r.Warnings[i]
		}
	}
	return nil
}

// TestUnconfirmedListWarns: a list that names a timestamp key and is past
// its confirmed-until time puts trust_list_unconfirmed, saying since when,
// on every result, valid or not; a confirmed one, an expired one (which has
// its own warning) and one that cannot be confirmed do not.
func TestUnconfirmedListWarns(t *testing.T) {
	iss := newIssuer(t, "RXA", tT0)
	mem := trust.NewMemoryStore()
	mem.Add(trust.TrustedKey{KID: iss.KID, OrgCode: "RXA", OrgName: "RXA", PublicKey: &iss.Key.PublicKey})
	good := issue(t, iss, tT0.Add(time.Hour), 1)
	confirmed := tNow.Add(-36 * time.Hour)
	base := trust.ListInfo{Version: 7, Issued: tIssued, Expires: tExpires, Confirmable: true, ConfirmedUntil: confirmed}
	for _, tc := range []struct {
		name string
		info trust.ListInfo
		want bool
	}{
		{"unconfirmed", base, true},
		{"newer published", func() trust.ListInfo { i := base; i.StatementVersion = 9; return i }(), true},
		{"confirmed", func() trust.ListInfo { i := base; i.ConfirmedUntil = tNow.Add(time.Hour); return i }(), false},
		{"not confirmable", func() trust.ListInfo { i := base; i.Confirmable = false; return i }(), false},
		{"expired", func() trust.ListInfo { i := base; i.Expires = tNow.Add(-time.Hour); return i }(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := infoStore{TrustStore: mem, info: tc.info}
			for _, text := range []string{good, good[:len(good)-3] + "AAA"} {
				r := verify.Text("t", text, st, verify.Options{Now: tNow})
				w := hasWarning(r, string(verify.WarnTrustListUnconfirmed))
				if (w != nil) != tc.want {
					t.Fatalf("%s: warning %v, want %v; warnings %+v", r.Status, w != nil, tc.want, r.Warnings)
				}
				if w == nil {
					continue
				}
				if !strings.Contains(w.Message, "since "+confirmed.Format("02 Jan 2006 15:04 UTC")) || !strings.Contains(w.Message, "revocation may be missing") {
					t.Errorf("message %q does not say since when and why", w.Message)
				}
				if tc.info.StatementVersion > 0 && !strings.Contains(w.Message, "version 9 is published") {
					t.Errorf("message %q does not name the newer published version", w.Message)
				}
			}
		})
	}
}

// TestIssuerContact: the contact the trust list gives for the signing key
// is in the result (never one from the passport), cleaned of control
// characters.
func TestIssuerContact(t *testing.T) {
	iss := newIssuer(t, "RXA", tT0)
	mem := trust.NewMemoryStore()
	mem.Add(trust.TrustedKey{KID: iss.KID, OrgCode: "RXA", OrgName: "RXA", PublicKey: &iss.Key.PublicKey,
		Contact: "Workforce team, 0114 496 0000\x1b[2J"})
	r := verify.Text("t", issue(t, iss, tT0.Add(time.Hour), 1), mem, verify.Options{Now: tNow})
	wantVerdict(t, r, verify.StatusValid, "")
	if r.IssuerContact != "Workforce team, 0114 496 0000\uFFFD[2J" {
		t.Fatalf("issuer_contact %q", r.IssuerContact)
	}
	other := newIssuer(t, "RXB", tT0)
	r = verify.Text("t", issue(t, other, tT0.Add(time.Hour), 1), mem, verify.Options{Now: tNow})
	if r.IssuerContact != "" {
		t.Fatalf("an unknown issuer got contact %q", r.IssuerContact)
	}
}

// TestClockBehindFloor: with a time floor, a clock behind it by more than
// the skew judges nothing (clock_behind, saying both times); within the
// skew, or with no floor, the passport is judged as usual; a floor that
// cannot be read is a trust store error, never a pass.
func TestClockBehindFloor(t *testing.T) {
	iss := newIssuer(t, "RXA", tT0)
	mem := trust.NewMemoryStore()
	mem.Add(trust.TrustedKey{KID: iss.KID, OrgCode: "RXA", OrgName: "RXA", PublicKey: &iss.Key.PublicKey})
	// Issued in 2025, expired by 2028: a clock set back to tNow would accept it.
	text := issue(t, iss, tT0.Add(time.Hour), 1)
	floorAt := tNow.AddDate(3, 0, 0)
	floor := func() (trust.TimeFloor, error) {
		return trust.TimeFloor{At: floorAt, Source: "the trust list in force was issued"}, nil
	}
	verifier := func(now time.Time, f func() (trust.TimeFloor, error)) *verify.Verifier {
		opts := []verify.Option{verify.WithClock(func() time.Time { return now })}
		if f != nil {
			opts = append(opts, verify.WithTimeFloor(f))
		}
		v, err := verify.NewVerifier(mem, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	r := verifier(tNow, floor).VerifyText("t", text)
	wantVerdict(t, r, verify.StatusInvalid, verify.ReasonClockBehind)
	msg := r.Reasons[0].Message
	for _, want := range []string{"clock is wrong", "it says 01 Sep 2025 12:00 UTC", "the trust list in force was issued 01 Sep 2028"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	rs := verifier(tNow, floor).VerifyTexts(context.Background(), "page", []string{text, text}, true)
	for _, r := range rs {
		wantVerdict(t, r, verify.StatusInvalid, verify.ReasonClockBehind)
	}

	wantVerdict(t, verifier(tNow, nil).VerifyText("t", text), verify.StatusValid, "")
	wantVerdict(t, verifier(floorAt.Add(-verify.DefaultSkew+time.Second), floor).VerifyText("t", text), verify.StatusInvalid, verify.ReasonExpired)
	broken := func() (trust.TimeFloor, error) { return trust.TimeFloor{}, errors.New("disk I/O error") }
	wantVerdict(t, verifier(tNow, broken).VerifyText("t", text), verify.StatusInvalid, verify.ReasonTrustStore)
	if _, err := verify.NewVerifier(mem, verify.WithTimeFloor(nil)); err == nil {
		t.Fatal("WithTimeFloor(nil) accepted")
	}
}

// TestVerifyNoTornReads: while another connection imports bundles that
// revoke the passport in every even version and not in odd ones, every
// verification reports a list version whose revocations are the ones it
// applied.
func TestVerifyNoTornReads(t *testing.T) {
	w := newTrustWorld(t)
	text := issue(t, w.direct, tT0.Add(time.Hour), 1)
	id := bytes.Repeat([]byte{1}, 16)
	w.importBundle(t, 1, nil, nil)
	reader, err := sitedb.OpenExisting(w.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	v, err := verify.NewVerifier(reader, verify.WithClock(func() time.Time { return tNow }))
	if err != nil {
		t.Fatal(err)
	}
	const versions = 40
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for n := int64(2); n <= versions; n++ {
			var revoked [][]byte
			if n%2 == 0 {
				revoked = [][]byte{id}
			}
			data, err := w.auth.SignBundle(&trust.Bundle{Version: n, Issued: tIssued, Expires: tExpires, Revoked: revoked})
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := w.db.ImportBundle(data, sitedb.ImportOptions{Now: tNow}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	checked, torn := 0, 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		r := v.VerifyText("t", text)
		if r.TrustList == nil {
			t.Fatalf("no trust list in %+v", r)
		}
		revoked := r.Status == verify.StatusInvalid && r.Reasons[0].Code == verify.ReasonRevoked
		if !revoked && r.Status != verify.StatusValid {
			t.Fatalf("version %d: %s %+v", r.TrustList.Version, r.Status, r.Reasons)
		}
		checked++
		if revoked != (r.TrustList.Version%2 == 0) {
			torn++
		}
	}
	wg.Wait()
	if torn > 0 {
		t.Fatalf("%d of %d verifications report a list version whose revocations they did not apply", torn, checked)
	}
	t.Logf("%d verifications during %d imports, none torn", checked, versions-1)
}
