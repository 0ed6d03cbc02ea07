// Command dist builds the release archives of passport: one per target
// (linux-amd64, linux-arm64 as .tar.gz; windows-amd64 as .zip), each with the
// binary, README, the site guide and what they link to, the licence texts of everything linked in,
// and the files that start the station at boot or log-on; plus SHA256SUMS.
//
// The output is reproducible: the same commit gives the same bytes. Binaries
// are built with -trimpath and an empty build id; archive entries are sorted,
// owned by 0:0 and dated at the last commit (SOURCE_DATE_EPOCH).
//
//	go run ./tools/dist -out bin/dist [-targets linux/amd64,...] [-version V]
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// target is one platform a site runs passport on.
type target struct {
	goos, goarch string
	cc           string // C cross compiler for cgo SQLite
	pkg          string // Debian packages that provide cc
}

var targets = []target{
	{"linux", "amd64", "x86_64-linux-gnu-gcc", "gcc"},
	{"linux", "arm64", "aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu libc6-dev-arm64-cross"},
	{"windows", "amd64", "x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"},
}

func (t target) String() string { return t.goos + "-" + t.goarch }

func main() {
	out := flag.String("out", "bin/dist", "directory for the archives and SHA256SUMS")
	only := flag.String("targets", "", "comma-separated GOOS/GOARCH list (default: all)")
	ver := flag.String("version", "", "release version (default: the tag of HEAD, else a pseudo-version of the last commit)")
	flag.Parse()
	if err := run(*out, *only, *ver); err != nil {
		fmt.Fprintf(os.Stderr, "dist: error: %v\n", err)
		os.Exit(1)
	}
}

func run(out, only, ver string) error {
	root, err := gitOut("rev-parse", "--show-toplevel")
	if err != nil {
		return fmt.Errorf("not in the passport git checkout: %v", err)
	}
	if err := os.Chdir(root); err != nil {
		return err
	}
	epoch, err := sourceDateEpoch()
	if err != nil {
		return err
	}
	if ver == "" {
		if ver, err = defaultVersion(epoch); err != nil {
			return err
		}
	}
	chosen, err := selectTargets(only)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	sums := map[string]string{}
	for _, t := range chosen {
		start := time.Now()
		name, sum, err := buildTarget(t, ver, epoch, out)
		if err != nil {
			return fmt.Errorf("%s: %v", t, err)
		}
		sums[name] = sum
		fmt.Fprintf(os.Stderr, "dist: %s (%s)\n", filepath.Join(out, name), time.Since(start).Round(time.Second))
	}
	return writeSums(out, sums)
}

func selectTargets(only string) ([]target, error) {
	if only == "" {
		return targets, nil
	}
	var chosen []target
	for _, s := range strings.Split(only, ",") {
		found := false
		for _, t := range targets {
			if t.goos+"/"+t.goarch == strings.TrimSpace(s) {
				chosen, found = append(chosen, t), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown target %q (known: linux/amd64, linux/arm64, windows/amd64)", s)
		}
	}
	return chosen, nil
}

// sourceDateEpoch is the time stamped on every archive entry: the
// environment's SOURCE_DATE_EPOCH (reproducible-builds.org), else the last
// commit's time, so a rebuild of the same commit gives the same bytes.
func sourceDateEpoch() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		var err error
		if s, err = gitOut("log", "-1", "--format=%ct"); err != nil {
			return time.Time{}, fmt.Errorf("cannot read the last commit's time (set SOURCE_DATE_EPOCH): %v", err)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 315532800 { // zip cannot date anything before 1980
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q is not a Unix time after 1980", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// defaultVersion is HEAD's tag, else 0.0.0-DATE-COMMIT in the style of a Go
// pseudo-version, with -dirty when the tree has uncommitted changes.
func defaultVersion(epoch time.Time) (string, error) {
	if tag, err := gitOut("describe", "--tags", "--exact-match", "HEAD"); err == nil {
		return tag, nil
	}
	rev, err := gitOut("rev-parse", "--short=12", "HEAD")
	if err != nil {
		return "", err
	}
	v := "0.0.0-" + epoch.Format("20060102150405") + "-" + rev
	if st, err := gitOut("status", "--porcelain", "--untracked-files=no"); err == nil && st != "" {
		v += "-dirty"
	}
	return v, nil
}

func writeSums(out string, sums map[string]string) error {
	// Merge with an existing file so building one target keeps the others' lines.
	path := filepath.Join(out, "SHA256SUMS")
	if old, err := os.ReadFile(path); err == nil {
		for _, line := range strings.Split(string(old), "\n") {
			if sum, name, ok := strings.Cut(line, "  "); ok {
				if _, err := os.Stat(filepath.Join(out, name)); err == nil && sums[name] == "" {
					sums[name] = sum
				}
			}
		}
	}
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", sums[n], n)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func sha256File(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}
