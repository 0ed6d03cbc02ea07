package trustsync

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"passport/sitedb"
	"passport/trust"
)

// publishHugeHeader writes into dir an unsigned "bundle" of about 60 MB
// whose protected header holds 458 arrays of 131,072 zeros, and an index
// that describes it truthfully, as a hostile source would. It streams, so
// the test process stays small: a child's peak RSS on Linux includes its
// parent's at the fork.
func publishHugeHeader(t *testing.T, dir string) int64 {
	t.Helper()
	const arrays, elems = 458, 131072
	hdrLen := 3 + arrays*(3+5+elems)
	f, err := os.Create(filepath.Join(dir, "huge.bundle"))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	bw := bufio.NewWriter(io.MultiWriter(f, h))
	head := []byte{0xd2, 0x84, 0x5a, 0, 0, 0, 0} // tag 18, array(4), bstr(len32)
	binary.BigEndian.PutUint32(head[3:], uint32(hdrLen))
	bw.Write(head)
	bw.Write([]byte{0xb9, byte(arrays >> 8), byte(arrays & 0xff)}) // map(458)
	zeros := make([]byte, elems)
	for i := range arrays {
		bw.Write([]byte{0x19, byte(i >> 8), byte(i), 0x9a, 0, 2, 0, 0}) // label i: array(131072)
		bw.Write(zeros)
	}
	bw.Write([]byte{0xa0, 0x41, 0x00, 0x58, 64}) // {}, h'00', bstr(64)
	bw.Write(make([]byte, 64))
	if err := errors.Join(bw.Flush(), f.Close()); err != nil {
		t.Fatal(err)
	}
	size := int64(len(head) + hdrLen + 5 + 64)
	writeIndex(t, dir, &Index{Format: IndexFormat, Version: 7, Issued: time.Now().UTC(), Expires: time.Now().AddDate(1, 0, 0).UTC(),
		SHA256: hex.EncodeToString(h.Sum(nil)), Size: size, File: "huge.bundle"})
	return size
}

const hugeSourceEnv = "PASSPORT_TEST_HUGE_SOURCE"

// TestHugeHeaderSyncChild syncs a new store from the folder named by
// hugeSourceEnv, for TestSyncHugeHeaderBoundedMemory to measure.
func TestHugeHeaderSyncChild(t *testing.T) {
	dir := os.Getenv(hugeSourceEnv)
	if dir == "" {
		t.Skip("helper process for TestSyncHugeHeaderBoundedMemory")
	}
	db, err := sitedb.Open(filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(db, dir, Options{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sync(context.Background()); !errors.Is(err, trust.ErrBundleMalformed) {
		t.Fatalf("err = %v, want trust.ErrBundleMalformed", err)
	}
}

// TestSyncHugeHeaderBoundedMemory: `trust sync` from a hostile folder whose
// index truthfully describes a 60 MB bundle with a hostile protected header
// refuses it in under 200 MB of peak resident memory (of a child process,
// as the kernel counts it).
func TestSyncHugeHeaderBoundedMemory(t *testing.T) {
	if os.Getenv(hugeSourceEnv) != "" {
		t.Skip("in the helper process")
	}
	dir := t.TempDir()
	size := publishHugeHeader(t, dir)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHugeHeaderSyncChild$", "-test.v")
	cmd.Env = append(os.Environ(), hugeSourceEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	t.Logf("peak RSS %d MB for a %d-byte bundle", rss>>20, size)
	if rss > 200<<20 {
		t.Fatalf("refusing a %d-byte hostile bundle took %d MB of memory, over 200 MB", size, rss>>20)
	}
}

// A FIFO where index.json should be is refused at once: opening it to read
// would wait for a writer forever.
func TestSyncRefusesFIFO(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, IndexFileName), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	s, err := New(w.db, dir, Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Sync(context.Background())
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("got %v, want ErrNotRegular", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("refusing the FIFO took %v", d)
	}
	if st := s.Status(); st.LastError == "" || st.Failures != 1 {
		t.Fatalf("status %+v does not record the failure", st)
	}
}

// The timeout covers a folder source too: a read that does not return (a
// share that stopped answering) ends the sync at the deadline.
func TestFolderReadTimeout(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.publish(t, dir, 1)
	stuck := make(chan struct{})
	defer close(stuck)
	readFile = func(string, int64) ([]byte, error) { <-stuck; return nil, errors.New("unblocked") }
	defer func() { readFile = readRegular }()
	s, err := New(w.db, dir, Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Sync(context.Background())
	if !errors.Is(err, ErrUnreachable) || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %v, want ErrUnreachable at the 200ms deadline", err, time.Since(start))
	}
}
