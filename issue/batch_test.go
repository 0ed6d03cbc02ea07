package issue

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"passport/keys"
	"passport/layout"
	"passport/trust"
	"passport/verify"
	"passport/verify/scan"
)

func trustStore(iss *keys.Issuer) *trust.MemoryStore {
	st := trust.NewMemoryStore()
	st.Add(trust.TrustedKey{KID: iss.KID, OrgCode: iss.OrgCode, OrgName: iss.OrgName, PublicKey: iss.Key.Public()})
	return st
}

func readManifest(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range rows[1:] {
		out[r[1]] = r
	}
	return out
}

func registerEntries(t *testing.T, path, batch string) map[string][]RegisterEntry {
	t.Helper()
	reg, err := OpenRegister(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	out := map[string][]RegisterEntry{}
	if err := reg.List(ListFilter{BatchID: batch}, func(e RegisterEntry) error {
		out[e.StaffNumber] = append(out[e.StaffNumber], e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBatchBothOutputs issues a few hundred people into individual PDFs
// and a combined PDF and checks the manifest against the register and
// every credential against the issuer's key.
func TestBatchBothOutputs(t *testing.T) {
	const n = 300
	iss := testIssuer(t)
	out := t.TempDir()
	var mu sync.Mutex
	texts := map[string]string{}
	opts := Options{Issuer: iss, OutDir: out, Now: benchNow, Combined: true,
		CheckPage: func(rec *Record, p *layout.Passport, text string) error {
			mu.Lock()
			texts[rec.Person.StaffNumber] = text
			mu.Unlock()
			return nil
		}}
	sum, err := Run(context.Background(), csvOpener(popCSV(t, n)), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Issued != n || sum.FailedRows != 0 || sum.Pages != n {
		t.Fatalf("summary %+v", sum)
	}
	man := readManifest(t, sum.Manifest)
	reg := registerEntries(t, sum.Register, sum.BatchID)
	if len(man) != n || len(reg) != n {
		t.Fatalf("manifest has %d people, register %d, want %d", len(man), len(reg), n)
	}
	v, err := verify.NewVerifier(trustStore(iss), verify.WithClock(func() time.Time { return benchNow }))
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]bool{}
	for staff, row := range man {
		es := reg[staff]
		if len(es) != 1 || es[0].ID != row[3] || es[0].Status != StatusIssued || es[0].File != row[4] || es[0].Combined != sum.Combined {
			t.Fatalf("%s: register %+v, manifest %v", staff, es, row)
		}
		pages[row[6]] = true
		res := v.VerifyText(staff, texts[staff])
		if res.Status != verify.StatusValid || res.CredentialID != row[3] {
			t.Fatalf("%s: verify says %s %v (id %s, manifest %s)", staff, res.Status, res.Reasons, res.CredentialID, row[3])
		}
		if _, err := os.Stat(row[4]); err != nil {
			t.Fatalf("%s: %v", staff, err)
		}
	}
	if len(pages) != n {
		t.Fatalf("%d distinct combined pages, want %d", len(pages), n)
	}
	// The verifier reads our own PDFs (one per person) without a renderer.
	for _, staff := range []string{"TEST000001", "TEST000150", "TEST000300"} {
		data, err := os.ReadFile(filepath.Join(out, staff+".pdf"))
		if err != nil {
			t.Fatal(err)
		}
		codes, err := scan.PDF(data)
		if err != nil || len(codes) != 1 || codes[0].Text != texts[staff] {
			t.Fatalf("%s: scan.PDF = %v, %v", staff, codes, err)
		}
	}
	if info, err := os.Stat(sum.Combined); err != nil || info.Size() < n*2000 {
		t.Fatalf("combined PDF: %v", err)
	}
}

// TestResumeAfterFailure interrupts a batch after k passports, as a crash
// would, then resumes it: nobody is issued twice, nothing recorded is lost,
// and no temporary file is left.
func TestResumeAfterFailure(t *testing.T) {
	const n, k = 240, 130
	defer func(e int, i time.Duration) { commitEvery, commitInterval = e, i }(commitEvery, commitInterval)
	commitEvery, commitInterval = 50, time.Hour // so the first run has committed exactly 100 of its 130
	iss := testIssuer(t)
	out := t.TempDir()
	data := popCSV(t, n)
	boom := errors.New("injected failure")
	for _, combined := range []bool{false, true} {
		out := filepath.Join(out, map[bool]string{false: "individual", true: "combined"}[combined])
		opts := Options{Issuer: iss, OutDir: out, Now: benchNow, Combined: combined, NoIndividual: combined,
			AfterRecord: func(i int) error {
				if i == k {
					return boom
				}
				return nil
			}}
		sum1, err := Run(context.Background(), csvOpener(data), opts)
		if !errors.Is(err, boom) {
			t.Fatalf("first run: %v, want the injected failure", err)
		}
		opts.AfterRecord, opts.Resume = nil, true
		sum2, err := Run(context.Background(), csvOpener(data), opts)
		if err != nil {
			t.Fatal(err)
		}
		if sum2.BatchID != sum1.BatchID {
			t.Fatalf("resume used batch %s, want %s", sum2.BatchID, sum1.BatchID)
		}
		// The 100 recorded by the first run are not signed again: done
		// (individual PDFs), or printed again into this run's combined PDF.
		if sum2.Skipped+sum2.Issued+sum2.Reprinted != n || sum2.Skipped+sum2.Reprinted != 100 ||
			(!combined && sum2.Skipped != 100) || (combined && sum2.Reprinted != 100) {
			t.Fatalf("resume skipped %d, printed again %d and issued %d, want 100 recorded and %d in all",
				sum2.Skipped, sum2.Reprinted, sum2.Issued, n)
		}
		reg := registerEntries(t, sum2.Register, sum1.BatchID)
		for staff, es := range reg {
			if len(es) != 1 || es[0].Status != StatusIssued {
				t.Fatalf("combined=%v: %s has credentials %+v, want one issued", combined, staff, es)
			}
		}
		if len(reg) != n {
			t.Fatalf("register has %d people, want %d", len(reg), n)
		}
		if man := readManifest(t, sum2.Manifest); len(man) != n {
			t.Fatalf("manifest has %d people, want %d", len(man), n)
		}
		ents, _ := os.ReadDir(out)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), tmpPrefix) {
				t.Fatalf("temporary file %s left behind", e.Name())
			}
		}
		if _, err := Run(context.Background(), csvOpener(data), opts); err == nil {
			t.Fatal("a second resume of a finished batch was accepted")
		}
	}
}

func TestRevokeAndExport(t *testing.T) {
	iss := testIssuer(t)
	out := t.TempDir()
	sum, err := Run(context.Background(), csvOpener(popCSV(t, 5)), Options{Issuer: iss, OutDir: out, Now: benchNow})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := OpenRegister(sum.Register)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	var ids []string
	reg.List(ListFilter{}, func(e RegisterEntry) error { ids = append(ids, e.ID); return nil })
	if len(ids) != 5 {
		t.Fatalf("%d credentials in the register", len(ids))
	}
	if err := reg.Revoke(strings.ToUpper(ids[2]), "Lost", "sheet left on a train", benchNow); err != nil {
		t.Fatal(err)
	}
	if err := reg.Revoke("nothex", "lost", "", benchNow); err == nil {
		t.Fatal("a bad id was accepted")
	}
	if err := reg.Revoke(strings.Repeat("ab", 16), "lost", "", benchNow); err == nil {
		t.Fatal("an unknown id was accepted")
	}
	if err := reg.Revoke(ids[1], "moved away", "", benchNow); err == nil || !strings.Contains(err.Error(), "left_employment") {
		t.Fatalf("a reason that is not a registry code: %v", err)
	}
	e, err := reg.Get(ids[2])
	if err != nil || e.RevokedAt.IsZero() || e.RevokedCode != "lost" || e.RevokedReason != "sheet left on a train" {
		t.Fatalf("Get after revoke: %+v, %v", e, err)
	}
	var b bytes.Buffer
	if n, err := reg.ExportRevoked(&b); err != nil || n != 1 || b.String() != ids[2]+",lost,"+benchNow.UTC().Format(time.RFC3339)+"\n" {
		t.Fatalf("export = %q, %d, %v", b.String(), n, err)
	}
}

// TestErrorsAreCapped: a file of bad rows keeps MaxErrors errors and
// counts the rest, and nothing is signed.
func TestErrorsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("staff_number,name,date_of_birth,role\n")
	for i := 0; i < 50; i++ {
		b.WriteString("X" + string(rune('A'+i%26)) + ",,31/02/1990,Nurse\n")
	}
	out := filepath.Join(t.TempDir(), "out")
	sum, err := Run(context.Background(), csvOpener([]byte(b.String())), Options{Issuer: testIssuer(t), OutDir: out, MaxErrors: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Errors) != 10 || sum.ErrorCount != 100 || sum.FailedRows != 50 || sum.Issued != 0 {
		t.Fatalf("errors kept %d, counted %d, failed rows %d, issued %d", len(sum.Errors), sum.ErrorCount, sum.FailedRows, sum.Issued)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("the output directory was created for a file with no valid row")
	}
}

// TestResumeReprintsMissingPDFs: a credential recorded in the register
// whose PDF is missing or cut (a crash between the register commit and
// the file reaching the disk) is printed again from the register on
// resume, with the same credential, not signed a second time.
func TestResumeReprintsMissingPDFs(t *testing.T) {
	const n, k = 60, 45
	defer func(e int, i time.Duration) { commitEvery, commitInterval = e, i }(commitEvery, commitInterval)
	commitEvery, commitInterval = 20, time.Hour // the first run records 40
	out := t.TempDir()
	data := popCSV(t, n)
	boom := errors.New("injected failure")
	opts := Options{Issuer: testIssuer(t), OutDir: out, Now: benchNow,
		AfterRecord: func(i int) error {
			if i == k {
				return boom
			}
			return nil
		}}
	sum1, err := Run(context.Background(), csvOpener(data), opts)
	if !errors.Is(err, boom) {
		t.Fatalf("first run: %v", err)
	}
	before := registerEntries(t, sum1.Register, sum1.BatchID)
	if len(before) != 40 {
		t.Fatalf("the first run recorded %d, want 40", len(before))
	}
	gone, cut := []string{"TEST000003", "TEST000021"}, "TEST000040"
	for _, s := range gone {
		if err := os.Remove(filepath.Join(out, s+".pdf")); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Truncate(filepath.Join(out, cut+".pdf"), 1000); err != nil {
		t.Fatal(err)
	}
	opts.AfterRecord, opts.Resume = nil, true
	sum2, err := Run(context.Background(), csvOpener(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Reprinted != 3 || sum2.Skipped != 37 || sum2.Issued != n-40 {
		t.Fatalf("resume printed again %d, skipped %d, issued %d; want 3, 37, %d", sum2.Reprinted, sum2.Skipped, sum2.Issued, n-40)
	}
	after := registerEntries(t, sum2.Register, sum1.BatchID)
	for _, s := range append(gone, cut) {
		if len(after[s]) != 1 || after[s][0].ID != before[s][0].ID {
			t.Fatalf("%s: register before %+v, after %+v: want the same single credential", s, before[s], after[s])
		}
		pdf, err := os.ReadFile(filepath.Join(out, s+".pdf"))
		if err != nil {
			t.Fatal(err)
		}
		codes, err := scan.PDF(pdf)
		if err != nil || len(codes) != 1 || codes[0].Text != before[s][0].Text {
			t.Fatalf("%s: the reprinted PDF does not hold the registered credential (%v)", s, err)
		}
	}
}
