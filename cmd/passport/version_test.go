package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "a943c88e0123456789abcdef"}}
	dirty := append(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"})
	for _, tc := range []struct {
		name, release, main string
		settings            []debug.BuildSetting
		want                string
	}{
		{"plain go build", "", "(devel)", rev, "(devel) (a943c88e0123)"},
		{"modified tree", "", "(devel)", dirty, "(devel) (a943c88e0123, modified)"},
		{"release names the commit already", "0.0.0-20261130-a943c88e0123", "(devel)", rev, "0.0.0-20261130-a943c88e0123"},
		{"release from another commit", "1.2.0", "(devel)", rev, "1.2.0 (a943c88e0123)"},
		{"no vcs stamp", "", "v1.0.0", nil, "v1.0.0"},
	} {
		bi := &debug.BuildInfo{Main: debug.Module{Version: tc.main}, Settings: tc.settings}
		if got := versionOf(bi, tc.release); got != tc.want {
			t.Errorf("%s: versionOf = %q, want %q", tc.name, got, tc.want)
		}
	}
}
