package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"time"
)

var testFiles = []file{
	{name: "passport", data: []byte("\x7fELF binary"), exec: true},
	{name: "README.md", data: []byte("# readme\n")},
	{name: "LICENSES/go/LICENSE", data: []byte("BSD\n")},
	{name: "LICENSES/github.com/mattn/go-sqlite3/LICENSE", data: []byte("MIT\n")},
	{name: "kiosk/passport-kiosk.sh", data: []byte("#!/bin/bash\n"), exec: true},
}

var epoch = time.Unix(1764460800, 0).UTC()

// TestArchivesReproducible: the same files in a different order, written at
// a different wall-clock time, give the same bytes.
func TestArchivesReproducible(t *testing.T) {
	reversed := slices.Clone(testFiles)
	slices.Reverse(reversed)
	for _, w := range []struct {
		name  string
		write func(io.Writer, string, []file, time.Time) error
	}{{"tar.gz", writeTarGz}, {"zip", writeZip}} {
		var a, b bytes.Buffer
		if err := w.write(&a, "passport-1-x", testFiles, epoch); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // a second later: no wall-clock time may leak in
		if err := w.write(&b, "passport-1-x", reversed, epoch); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two writes of the same files differ", w.name)
		}
	}
}

func TestTarEntries(t *testing.T) {
	var buf bytes.Buffer
	if err := writeTarGz(&buf, "p", testFiles, epoch); err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: mtime %v uid %d gid %d %q %q, want the epoch and 0:0", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		wantMode := int64(0o644)
		if h.Typeflag == tar.TypeDir || h.Name == "p/passport" || h.Name == "p/kiosk/passport-kiosk.sh" {
			wantMode = 0o755
		}
		if h.Mode != wantMode {
			t.Errorf("%s: mode %o, want %o", h.Name, h.Mode, wantMode)
		}
	}
	want := []string{"p/", "p/LICENSES/", "p/LICENSES/github.com/", "p/LICENSES/github.com/mattn/",
		"p/LICENSES/github.com/mattn/go-sqlite3/", "p/LICENSES/go/", "p/kiosk/",
		"p/LICENSES/github.com/mattn/go-sqlite3/LICENSE", "p/LICENSES/go/LICENSE", "p/README.md",
		"p/kiosk/passport-kiosk.sh", "p/passport"}
	if !slices.Equal(names, want) {
		t.Errorf("entries\n%q\nwant\n%q", names, want)
	}
}

func TestZipEntries(t *testing.T) {
	var buf bytes.Buffer
	if err := writeZip(&buf, "p", testFiles, epoch); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !f.Modified.Equal(epoch) {
			t.Errorf("%s: modified %v, want %v", f.Name, f.Modified, epoch)
		}
		if f.Name == "p/README.md" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			if string(b) != "# readme\n" {
				t.Errorf("README content %q", b)
			}
		}
	}
}

func TestDuplicateEntry(t *testing.T) {
	err := writeZip(io.Discard, "p", append(slices.Clone(testFiles), file{name: "README.md"}), epoch)
	if err == nil {
		t.Fatal("two entries with one name were accepted")
	}
}

func TestRelativeLinks(t *testing.T) {
	md := "x ![a](site-guide/a.png) y ![b](https://e.invalid/b.png) ![a again](site-guide/a.png)\n![c](c.png) [d](d.md#part) [e](station/) [m](mailto:x@e.invalid)"
	if got := relativeLinks(md); !slices.Equal(got, []string{"site-guide/a.png", "c.png", "d.md", "station/"}) {
		t.Errorf("relativeLinks = %q", got)
	}
}

// TestShippedLinksResolve: every relative link in the README and the site
// guide, as shipped, leads to a file in the archive (or to a folder with
// files in it), so a site reading the unpacked archive finds the
// screenshots and documents they point to.
func TestShippedLinksResolve(t *testing.T) {
	root, err := gitOut("rev-parse", "--show-toplevel")
	if err != nil {
		t.Skip("not in a git checkout")
	}
	t.Chdir(root)
	docs, err := docFiles()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeTarGz(&buf, "p", docs, epoch); err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		entries[strings.TrimPrefix(h.Name, "p/")] = b
	}
	for _, doc := range shippedDocs {
		md, ok := entries[doc]
		if !ok {
			t.Fatalf("%s is not in the archive", doc)
		}
		for _, target := range relativeLinks(string(md)) {
			p := path.Join(path.Dir(doc), target)
			if _, ok := entries[p]; ok {
				continue
			}
			// A folder: all of it, as the reader sees it in the source tree.
			if dir, err := os.ReadDir(p); err == nil {
				missing := 0
				for _, e := range dir {
					if _, ok := entries[path.Join(p, e.Name())]; !ok && !e.IsDir() {
						missing++
					}
				}
				if _, ok := entries[p+"/"]; ok && missing == 0 && len(dir) > 0 {
					continue
				}
				t.Errorf("%s links to the folder %s: %d of its %d files are not in the archive", doc, target, missing, len(dir))
				continue
			}
			t.Errorf("%s links to %s, which is not in the archive (%s)", doc, target, p)
		}
	}
}

func TestEscapePath(t *testing.T) {
	if got := escapePath("github.com/BurntSushi/toml"); got != "github.com/!burnt!sushi/toml" {
		t.Errorf("escapePath = %q", got)
	}
}

func TestLicenceName(t *testing.T) {
	for name, want := range map[string]bool{"LICENSE": true, "LICENSE.md": true, "licence.txt": true, "COPYING": true,
		"NOTICE": true, "PATENTS": true, "LICENSE-APACHE": true, "license_test.go": false, "README.md": false} {
		if licenceName.MatchString(name) != want {
			t.Errorf("licenceName(%q) = %v", name, !want)
		}
	}
}
