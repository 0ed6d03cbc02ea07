package sitedb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"passport/trust"
)

// writeHugeHeaderBundle writes an unsigned "bundle" of about 60 MB whose
// protected header holds 458 arrays of 131,072 zeros: within the CBOR
// library's default limits, so a decoder that uses them builds some 60
// million interface values (over a gigabyte) before any signature is
// checked. It streams, so the test process stays small: a child's peak
// RSS on Linux includes its parent's at the fork.
func writeHugeHeaderBundle(path string) (int, error) {
	const arrays, elems = 458, 131072
	hdrLen := 3 + arrays*(3+5+elems)
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriter(f)
	head := []byte{0xd2, 0x84, 0x5a, 0, 0, 0, 0} // tag 18, array(4), bstr(len32)
	binary.BigEndian.PutUint32(head[3:], uint32(hdrLen))
	w.Write(head)
	w.Write([]byte{0xb9, byte(arrays >> 8), byte(arrays & 0xff)}) // map(458)
	zeros := make([]byte, elems)
	for i := range arrays {
		w.Write([]byte{0x19, byte(i >> 8), byte(i), 0x9a, 0, 2, 0, 0}) // label i: array(131072)
		w.Write(zeros)
	}
	w.Write([]byte{0xa0, 0x41, 0x00, 0x58, 64}) // {}, h'00', bstr(64)
	w.Write(make([]byte, 64))
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return 0, err
	}
	return len(head) + hdrLen + 5 + 64, nil
}

const hugeBundleEnv = "PASSPORT_TEST_HUGE_BUNDLE"

// TestHugeHeaderChild imports the file named by hugeBundleEnv into a new
// store, for TestHugeHeaderBoundedMemory to measure.
func TestHugeHeaderChild(t *testing.T) {
	path := os.Getenv(hugeBundleEnv)
	if path == "" {
		t.Skip("helper process for TestHugeHeaderBoundedMemory")
	}
	db, err := Open(filepath.Join(filepath.Dir(path), "child.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ImportBundle(data, ImportOptions{})
	if !errors.Is(err, trust.ErrBundleMalformed) {
		t.Fatalf("err = %v, want trust.ErrBundleMalformed", err)
	}
	t.Logf("refused: %v", err)
}

// TestHugeHeaderBoundedMemory imports the 60 MB hostile header in a child
// process and reads the child's peak resident memory from the kernel: the
// file is refused before its signature is checked, in under 200 MB.
func TestHugeHeaderBoundedMemory(t *testing.T) {
	if os.Getenv(hugeBundleEnv) != "" {
		t.Skip("in the helper process")
	}
	path := filepath.Join(t.TempDir(), "huge.bundle")
	size, err := writeHugeHeaderBundle(path)
	if err != nil {
		t.Fatal(err)
	}
	if size < 60e6 || size > trust.MaxBundleBytes {
		t.Fatalf("test bundle is %d bytes, want 60 MB to the bundle limit", size)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHugeHeaderChild$", "-test.v")
	cmd.Env = append(os.Environ(), hugeBundleEnv+"="+path)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	t.Logf("peak RSS %d MB, %v", rss>>20, time.Since(start))
	if rss > 200<<20 {
		t.Fatalf("refusing a %d-byte hostile bundle took %d MB of memory, over 200 MB", size, rss>>20)
	}
}

// A bundle dated beyond the clock skew is refused: once imported, nothing
// issued before its date could replace it. Within the skew it imports.
func TestImportRefusesFutureBundle(t *testing.T) {
	db, _ := openTemp(t)
	a := newAuthority(t)
	pin(t, db, a)
	before := state(t, db)
	late := sign(t, a, &trust.Bundle{Version: 1, Issued: testNow.AddDate(0, 0, 20), Expires: testNow.AddDate(1, 0, 0),
		Issuers: []trust.BundleIssuer{bundleEntry(t, "RFU")}})
	if _, err := db.ImportBundle(late, ImportOptions{Now: testNow}); !errors.Is(err, ErrBundleFuture) {
		t.Fatalf("err = %v, want ErrBundleFuture", err)
	}
	if state(t, db) != before {
		t.Fatal("a refused bundle changed the store")
	}
	near := sign(t, a, &trust.Bundle{Version: 2, Issued: testNow.Add(trust.BundleClockSkew - time.Second), Expires: testNow.AddDate(1, 0, 0),
		Issuers: []trust.BundleIssuer{bundleEntry(t, "RFU")}})
	if _, err := db.ImportBundle(near, ImportOptions{Now: testNow}); err != nil {
		t.Fatalf("a bundle within the clock skew was refused: %v", err)
	}
}

// A version near 2^63 is refused, so it can never block every later bundle.
func TestImportRefusesHugeVersion(t *testing.T) {
	db, _ := openTemp(t)
	a := newAuthority(t)
	pin(t, db, a)
	w := map[int]any{1: int64(1<<63 - 1), 2: testNow.Unix(), 3: testNow.AddDate(1, 0, 0).Unix(), 4: []any{}, 5: []any{}}
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		t.Fatal(err)
	}
	payload, err := em.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportBundle(signPayload(t, a, payload), ImportOptions{Now: testNow}); !errors.Is(err, trust.ErrBundleMalformed) || !strings.Contains(err.Error(), "2^53") {
		t.Fatalf("err = %v, want a refused version", err)
	}
}
