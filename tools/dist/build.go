package main

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// buildTarget compiles passport for t and writes its archive into out,
// returning the archive's name and SHA-256.
func buildTarget(t target, ver string, epoch time.Time, out string) (string, string, error) {
	if _, err := exec.LookPath(t.cc); err != nil {
		return "", "", fmt.Errorf("the C compiler %s is missing (cgo SQLite needs it); install it with: apt-get install %s", t.cc, t.pkg)
	}
	tmp, err := os.MkdirTemp("", "passport-dist-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(tmp)
	exe := "passport"
	if t.goos == "windows" {
		exe += ".exe"
	}
	bin := filepath.Join(tmp, exe)
	if err := goBuild(t, ver, bin); err != nil {
		return "", "", err
	}
	files, err := archiveFiles(t, bin, exe)
	if err != nil {
		return "", "", err
	}
	base := "passport-" + ver + "-" + t.String()
	name := base + ".tar.gz"
	if t.goos == "windows" {
		name = base + ".zip"
	}
	path := filepath.Join(out, name)
	f, err := os.Create(path)
	if err != nil {
		return "", "", err
	}
	if t.goos == "windows" {
		err = writeZip(f, base, files, epoch)
	} else {
		err = writeTarGz(f, base, files, epoch)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", err
	}
	sum, err := sha256File(path)
	return name, sum, err
}

// goBuild links a stripped binary with no build id and no local paths, so
// the same source and toolchain give the same bytes on any machine. The VCS
// stamp stays in (vcs.revision is what `passport version` shows).
func goBuild(t target, ver, bin string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin,
		"-ldflags", "-s -w -buildid= -X main.buildVersion="+ver, "./cmd/passport")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOOS="+t.goos, "GOARCH="+t.goarch, "CC="+t.cc,
		"GOFLAGS=-mod=readonly", "CGO_CFLAGS=-O2", "CGO_LDFLAGS=")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = os.Stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build failed: %v\n%s", err, stderr.String())
	}
	return nil
}

// file is one archive entry; names use forward slashes, relative to the
// archive's top directory.
type file struct {
	name string
	data []byte
	exec bool
}

// archiveFiles gathers what goes into t's archive: binary, docs, licences
// and the start-up files for the platform.
func archiveFiles(t target, bin, exe string) ([]file, error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	files := []file{{name: exe, data: data, exec: true}}
	docs, err := docFiles()
	if err != nil {
		return nil, err
	}
	files = append(files, docs...)
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("reading the build info of %s: %v", bin, err)
	}
	lic, err := licenceFiles(t, bi)
	if err != nil {
		return nil, err
	}
	files = append(files, lic...)
	extra, err := platformFiles(t)
	if err != nil {
		return nil, err
	}
	return append(files, extra...), nil
}

// shippedDocs are the documents a site reads in the archive. Everything
// they link to (other documents, screenshots, a folder of them) is shipped
// too, so their links work in the unpacked archive; the linked documents'
// own links are not followed (they are for people reading the source).
var shippedDocs = []string{"README.md", "docs/site-guide.md"}

// docFiles is the README and the site guide with everything they link to.
func docFiles() ([]file, error) {
	var files []file
	seen := map[string]bool{}
	add := func(p, from string) error {
		if seen[p] {
			return nil
		}
		seen[p] = true
		b, err := os.ReadFile(p)
		if err != nil {
			if from != "" {
				return fmt.Errorf("%s links to %s: %v", from, p, err)
			}
			return fmt.Errorf("%v (the archive needs it)", err)
		}
		files = append(files, file{name: p, data: b})
		return nil
	}
	for _, doc := range shippedDocs {
		if err := add(doc, ""); err != nil {
			return nil, err
		}
	}
	for _, doc := range shippedDocs {
		md, err := os.ReadFile(doc)
		if err != nil {
			return nil, err
		}
		for _, target := range relativeLinks(string(md)) {
			p := path.Join(path.Dir(doc), target)
			st, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("%s links to %s: %v", doc, target, err)
			}
			if !st.IsDir() {
				if err := add(p, doc); err != nil {
					return nil, err
				}
				continue
			}
			entries, err := os.ReadDir(p)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				if !e.IsDir() {
					if err := add(path.Join(p, e.Name()), doc); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return files, nil
}

// relativeLinks returns the relative targets of Markdown links [text](target)
// and images ![alt](target), without a #fragment, each once.
func relativeLinks(md string) []string {
	var out []string
	seen := map[string]bool{}
	for rest := md; ; {
		j := strings.Index(rest, "](")
		if j < 0 {
			return out
		}
		rest = rest[j+2:]
		k := strings.IndexByte(rest, ')')
		if k < 0 {
			return out
		}
		target, _, _ := strings.Cut(rest[:k], "#")
		if target != "" && !strings.Contains(target, "://") && !strings.HasPrefix(target, "mailto:") && !seen[target] {
			seen[target] = true
			out = append(out, target)
		}
	}
}

// platformFiles are the files under dist/<goos>/: systemd units and the
// kiosk recipe for Linux, start-up scripts for Windows. Windows gets CRLF
// line endings in its text files, as Notepad and cmd.exe expect.
func platformFiles(t target) ([]file, error) {
	dir := filepath.Join("dist", t.goos)
	var files []file
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if t.goos == "windows" {
			b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		}
		files = append(files, file{name: filepath.ToSlash(rel), data: b, exec: info.Mode()&0o111 != 0})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("platform files: %v", err)
	}
	return files, nil
}

func gitOut(args ...string) (string, error) {
	out, err := exec.Command("git", args...).Output()
	return strings.TrimSpace(string(out)), err
}
