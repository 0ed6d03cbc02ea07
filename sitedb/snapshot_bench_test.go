package sitedb

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"syscall"
	"testing"
	"time"

	"passport/credential"
	credsign "passport/credential/sign"
	"passport/keys"
	"passport/trust"
	"passport/verify"
)

// cpuTime is the CPU time this process has used, user and system: on a
// shared machine it moves less with other load than wall time does.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs f b.N times and reports its CPU time per call beside ns/op.
func timed(b *testing.B, f func()) {
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime(b)
	for range b.N {
		f()
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkVerificationSnapshot is what one text credential costs through a
// site database of 10,000 issuer keys and 100,000 revoked ids (100 and
// 1,000 with -short) when every verification takes a snapshot, beside the
// bare ECDSA P-256 check every verification must pay (report ratios to
// it): "reads" is the store's share (snapshot, Info, Key, Revocation,
// release), "verify" the whole verification read through a snapshot, and
// "verify-memory" the same against an in-memory store of one key.
func BenchmarkVerificationSnapshot(b *testing.B) {
	nIssuers, nRevoked := 10000, 100000
	if testing.Short() {
		nIssuers, nRevoked = 100, 1000
	}
	db, _ := openTemp(b)
	fill(b, db, nIssuers, nRevoked)
	iss, err := keys.NewIssuer("RXS", "Snapshot Hospitals NHS Trust", testNow, 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.AddCertificate(iss.Cert); err != nil {
		b.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	c := &credential.Claims{Issuer: "RXS", IssuedAt: testNow, NotBefore: testNow, Expires: testNow.AddDate(1, 0, 0),
		ID: id, Body: credential.Body{Version: credential.SchemaVersion,
			Person:     credential.Person{Name: "Bench Person", StaffNumber: "S1"},
			Employment: credential.Employment{OrgCode: "RXS", OrgName: "Snapshot Hospitals NHS Trust", Role: "Nurse"}}}
	text, err := credsign.Issue(c, iss.Key, iss.KID)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline-ecdsa-p256-verify", func(b *testing.B) {
		digest := sha256.Sum256([]byte(text))
		sig, err := ecdsa.SignASN1(rand.Reader, iss.Key, digest[:])
		if err != nil {
			b.Fatal(err)
		}
		timed(b, func() {
			if !ecdsa.VerifyASN1(&iss.Key.PublicKey, digest[:], sig) {
				b.Fatal("baseline signature does not verify")
			}
		})
	})
	b.Run("reads", func(b *testing.B) {
		timed(b, func() {
			view, release, err := trust.Snapshot(db)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := view.Info(); err != nil {
				b.Fatal(err)
			}
			if _, err := view.Key(iss.KID); err != nil {
				b.Fatal(err)
			}
			if r, err := view.Revocation(id); err != nil || r != nil {
				b.Fatal(r, err)
			}
			release()
		})
	})
	at := testNow.Add(time.Hour)
	clock := verify.WithClock(func() time.Time { return at })
	through := func(store trust.TrustStore) func(b *testing.B) {
		return func(b *testing.B) {
			timed(b, func() {
				view, release, err := trust.Snapshot(store)
				if err != nil {
					b.Fatal(err)
				}
				v, err := verify.NewVerifier(view, clock)
				if err != nil {
					b.Fatal(err)
				}
				if r := v.VerifyText("b", text); r.Status != verify.StatusValid {
					b.Fatalf("%s %v", r.Status, r.Reasons)
				}
				release()
			})
		}
	}
	b.Run("verify", through(db))
	// The same verification against an in-memory store holding only the
	// issuer's key: what the site database's share is measured against.
	mem := trust.NewMemoryStore()
	mem.Add(trust.TrustedKey{KID: iss.KID, OrgCode: "RXS", OrgName: "Snapshot Hospitals NHS Trust", PublicKey: &iss.Key.PublicKey,
		ValidFrom: iss.Cert.NotBefore, ValidUntil: iss.Cert.NotAfter, Source: trust.SourceDirect, Kind: trust.KindStaff})
	b.Run("verify-memory", through(mem))
}
