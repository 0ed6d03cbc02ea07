package main

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// licenceName matches the files in a module's root that carry its terms.
var licenceName = regexp.MustCompile(`(?i)^(licen[cs]e|copying|notice|patents|unlicense)([.-].*)?$`)

// licenceFiles collects the licence texts of the Go toolchain (its runtime
// and standard library are linked in) and of every module the binary's build
// info lists, from the module cache, under LICENSES/. A module without a
// licence text stops the build: shipping it would break its terms.
func licenceFiles(t target, bi *buildinfo.BuildInfo) ([]file, error) {
	modcache, err := goEnv("GOMODCACHE")
	if err != nil {
		return nil, err
	}
	goroot, err := goEnv("GOROOT")
	if err != nil {
		return nil, err
	}
	goLic, err := os.ReadFile(filepath.Join(goroot, "LICENSE"))
	if err != nil {
		return nil, fmt.Errorf("the Go licence: %v", err)
	}
	files := []file{{name: "LICENSES/go/LICENSE", data: goLic}}
	index := []string{fmt.Sprintf("go %s  (runtime and standard library)", bi.GoVersion)}
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		dir := filepath.Join(modcache, escapePath(m.Path)+"@"+escapePath(m.Version))
		found, err := moduleLicences(dir, m.Path)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("module %s %s has no licence file in %s; check its terms before shipping it", m.Path, m.Version, dir)
		}
		files = append(files, found...)
		index = append(index, m.Path+" "+m.Version)
	}
	if t.goos == "windows" {
		// The mingw-w64 start-up code and libgcc are linked statically.
		for _, p := range []string{"mingw-w64-common", "gcc-mingw-w64-base"} {
			b, err := os.ReadFile("/usr/share/doc/" + p + "/copyright")
			if err != nil {
				return nil, fmt.Errorf("licence of the statically linked %s: %v", p, err)
			}
			files = append(files, file{name: "LICENSES/" + p + "/copyright", data: b})
			index = append(index, p+" (Debian package; C runtime start-up code linked into passport.exe)")
		}
	}
	readme := "Licences of the software linked into this passport binary, one folder per\n" +
		"module (the module path with its version below). SQLite is in the public\n" +
		"domain; it is compiled in through github.com/mattn/go-sqlite3.\n\n" +
		strings.Join(index, "\n") + "\n"
	return append(files, file{name: "LICENSES/README.txt", data: []byte(readme)}), nil
}

func moduleLicences(dir, modPath string) ([]file, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("module source not in the module cache (run 'go mod download'): %v", err)
	}
	var files []file
	for _, e := range entries {
		if e.IsDir() || !licenceName.MatchString(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files = append(files, file{name: path.Join("LICENSES", modPath, e.Name()), data: b})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, nil
}

// escapePath is the module cache's case encoding: each upper-case letter
// becomes '!' and its lower case (golang.org/x/mod/module.EscapePath).
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func goEnv(key string) (string, error) {
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %v", key, err)
	}
	v := strings.TrimSpace(string(out))
	if v == "" {
		return "", fmt.Errorf("go env %s is empty", key)
	}
	return v, nil
}
