package main

import (
	"strings"
	"testing"
)

const guide = "# Guide\n\n" +
	"## Windows\n\n" +
	"**1. Load** it (use your file's name in place of `trust-12.bundle`):\n\n" +
	"```bat\npassport trust import --db site.db trust-12.bundle\n```\n\n" +
	"## Linux\n\n" +
	"`VERSION` is the version in the file's name.\n\n" +
	"**1. Unpack**:\n\n" +
	"```sh\ntar -xzf ~/Downloads/passport-VERSION.tar.gz\n```\n\n" +
	"Sample output, not run:\n\n```\nunpacked\n```\n\n" +
	"2. A list step:\n   ```sh\n   cd ~/passport\n   ./passport trust status --db site.db\n   ```\n\n" +
	"### Upgrading\n\n" +
	"```sh\n./passport version\n```\n\n" +
	"## Next section\n\n```sh\nnot this one\n```\n"

func TestExtract(t *testing.T) {
	intro, steps, err := extract(guide, "Linux", "sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(intro, "`VERSION`") {
		t.Errorf("intro = %q", intro)
	}
	scripts, err := substitute(intro, steps, map[string]string{"VERSION": "1.2.0"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"# 1. Unpack\ntar -xzf ~/Downloads/passport-1.2.0.tar.gz\n",
		"# 2. A list step:\ncd ~/passport\n./passport trust status --db site.db\n",
		"# Upgrading\n./passport version\n",
	}
	if strings.Join(scripts, "|") != strings.Join(want, "|") {
		t.Errorf("scripts\n%q\nwant\n%q", scripts, want)
	}
}

// A placeholder the guide never explains is refused: the reader would have
// to guess what to type.
func TestUnexplainedPlaceholder(t *testing.T) {
	md := strings.Replace(guide, "`VERSION` is the version in the file's name.", "Unpack the archive.", 1)
	intro, steps, err := extract(md, "Linux", "sh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := substitute(intro, steps, map[string]string{"VERSION": "1.2.0"}); err == nil || !strings.Contains(err.Error(), "`VERSION`") {
		t.Errorf("err = %v, want one naming `VERSION`", err)
	}
	// The Windows step explains its example file name in its own text.
	intro, steps, err = extract(guide, "Windows", "bat")
	if err != nil {
		t.Fatal(err)
	}
	scripts, err := substitute(intro, steps, map[string]string{"trust-12.bundle": "trust-3.bundle"})
	if err != nil || len(scripts) != 1 || !strings.Contains(scripts[0], "site.db trust-3.bundle\n") {
		t.Errorf("scripts %q, err %v", scripts, err)
	}
}

func TestExtractErrors(t *testing.T) {
	for name, c := range map[string]struct{ md, section, want string }{
		"no section":       {guide, "Mac", `no section "Mac"`},
		"no blocks":        {"## Linux\n\n1. `mkdir ~/passport`\n", "Linux", "has no ```sh blocks"},
		"block unnumbered": {"## Linux\n\n```sh\nls\n```\n", "Linux", "before the first step"},
		"unclosed":         {"## Linux\n\n**1. A**\n\n```sh\nls\n", "Linux", "not closed"},
	} {
		if _, _, err := extract(c.md, c.section, "sh"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}
