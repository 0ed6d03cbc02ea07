package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// buildVersion is set by release builds (tools/dist) with
// -ldflags "-X main.buildVersion=...". Plain `go build` leaves it empty and
// the version comes from the build info's VCS stamp instead.
var buildVersion string

// version is one line: the release version, or the module version and the
// commit it was built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		if buildVersion != "" {
			return buildVersion
		}
		return "(unknown)"
	}
	return versionOf(bi, buildVersion)
}

func versionOf(bi *debug.BuildInfo, release string) string {
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	v := release
	if v == "" {
		v = bi.Main.Version
	}
	if len(rev) >= 12 && !strings.Contains(v, rev[:12]) {
		v += " (" + rev[:12] + modified + ")"
	}
	return v
}

// printVersion prints the version, the Go toolchain and target, and every
// module linked into the binary: what a site reports when asking for help,
// and what the licence texts in a release archive correspond to.
func printVersion(w io.Writer) {
	fmt.Fprintln(w, "passport", version())
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	var goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	fmt.Fprintf(w, "built with %s for %s/%s\n", bi.GoVersion, goos, goarch)
	if len(bi.Deps) > 0 {
		fmt.Fprintln(w, "modules:")
	}
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		fmt.Fprintf(w, "  %s %s\n", d.Path, m.Version)
	}
}
