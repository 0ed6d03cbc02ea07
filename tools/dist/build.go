package main

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
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

// docFiles is the README and the site guide with the images it shows.
func docFiles() ([]file, error) {
	var files []file
	for _, p := range []string{"README.md", "docs/site-guide.md"} {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%v (the archive needs it)", err)
		}
		files = append(files, file{name: p, data: b})
	}
	for _, img := range imageLinks(string(files[1].data)) {
		p := filepath.ToSlash(filepath.Join("docs", img))
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("docs/site-guide.md shows %s: %v", img, err)
		}
		files = append(files, file{name: p, data: b})
	}
	return files, nil
}

// imageLinks returns the relative targets of Markdown images ![alt](target).
func imageLinks(md string) []string {
	var out []string
	seen := map[string]bool{}
	for rest := md; ; {
		i := strings.Index(rest, "![")
		if i < 0 {
			return out
		}
		rest = rest[i+2:]
		j := strings.Index(rest, "](")
		if j < 0 {
			return out
		}
		rest = rest[j+2:]
		k := strings.IndexByte(rest, ')')
		if k < 0 {
			return out
		}
		target := rest[:k]
		if !strings.Contains(target, "://") && !seen[target] {
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
