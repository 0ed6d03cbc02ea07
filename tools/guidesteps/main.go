// Command guidesteps extracts the commands of one section of a Markdown
// guide, step by step, so a test can run them exactly as a reader would type
// them (scripts/test-guide.sh runs docs/site-guide.md this way).
//
// A step starts at "**N. Title**" at the start of a paragraph, an ordered
// list item "N. ...", or a "### Title" heading. Its commands are the fenced
// code blocks marked with the section's shell (```sh, or -lang bat for
// Windows' Command Prompt); other blocks (sample output) are not run. Each step's commands are written, in order,
// to DIR/NN.sh with the step's title as a comment.
//
// Placeholders are words the reader replaces (VERSION, a file name the guide
// uses as an example): -set NAME=VALUE replaces NAME in the commands. A step
// whose commands use NAME must say what to put there: NAME must appear in
// backquotes in that step's text or in the section's introduction; else the
// reader is left to guess and extraction fails.
//
//	go run ./tools/guidesteps -section 'Raspberry Pi or Linux PC' -out DIR -set VERSION=1.2.0 docs/site-guide.md
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

type step struct {
	title    string
	prose    strings.Builder
	commands []string // one per block in the section's shell
}

type setList []string

func (s *setList) String() string     { return strings.Join(*s, ",") }
func (s *setList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	section := flag.String("section", "", "the ## heading of the section to extract (required)")
	out := flag.String("out", "", "directory for the step scripts (required)")
	lang := flag.String("lang", "sh", "the info string of the code blocks to run")
	var sets setList
	flag.Var(&sets, "set", "NAME=VALUE: replace the placeholder NAME in the commands (repeatable)")
	flag.Parse()
	if *section == "" || *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: guidesteps -section HEADING -out DIR [-set NAME=VALUE]... GUIDE.md")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *section, *lang, *out, sets); err != nil {
		fmt.Fprintf(os.Stderr, "guidesteps: error: %v\n", err)
		os.Exit(1)
	}
}

func run(path, section, lang, out string, sets []string) error {
	md, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	intro, steps, err := extract(string(md), section, lang)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	subst := map[string]string{}
	for _, s := range sets {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return fmt.Errorf("-set %q: want NAME=VALUE", s)
		}
		subst[name] = value
	}
	scripts, err := substitute(intro, steps, subst)
	if err != nil {
		return fmt.Errorf("%s, section %q: %v", path, section, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for i, s := range scripts {
		name := filepath.Join(out, fmt.Sprintf("%02d.sh", i+1))
		if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
			return err
		}
		fmt.Println(name)
	}
	return nil
}

var (
	boldStep = regexp.MustCompile(`^\*\*(\d+)\.\s*(.*?)\*\*`)
	listStep = regexp.MustCompile(`^(\d+)\.\s+(.*)$`)
	fence    = regexp.MustCompile("^\\s*(```+|~~~+)\\s*([A-Za-z0-9_-]*)")
)

// extract returns the section's introduction (its text before the first
// step) and its steps.
func extract(md, section, lang string) (string, []*step, error) {
	var intro strings.Builder
	var steps []*step
	in, found := false, false
	var cur *step
	var block *strings.Builder // the sh block being read, nil outside one
	inFence, fenceMark := false, ""
	sc := bufio.NewScanner(strings.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if inFence {
			if strings.HasPrefix(strings.TrimSpace(line), fenceMark) {
				inFence = false
				if block != nil {
					cur.commands = append(cur.commands, block.String())
					block = nil
				}
			} else if block != nil {
				block.WriteString(strings.TrimPrefix(line, "   ") + "\n")
			}
			continue
		}
		if strings.HasPrefix(line, "## ") {
			if in {
				break
			}
			in = strings.TrimSpace(line[3:]) == section
			found = found || in
			continue
		}
		if !in {
			continue
		}
		if m := fence.FindStringSubmatch(line); m != nil {
			inFence, fenceMark = true, m[1]
			if m[2] == lang {
				if cur == nil {
					return "", nil, fmt.Errorf("a ```%s block before the first step: number the step it belongs to", lang)
				}
				block = &strings.Builder{}
			}
			continue
		}
		switch m := stepStart(line); {
		case m != "":
			cur = &step{title: m}
			steps = append(steps, cur)
		case cur == nil:
			intro.WriteString(line + "\n")
			continue
		}
		cur.prose.WriteString(line + "\n")
	}
	if err := sc.Err(); err != nil {
		return "", nil, err
	}
	if !found {
		return "", nil, fmt.Errorf("no section %q (a line \"## %s\")", section, section)
	}
	if inFence {
		return "", nil, errors.New("a code block is not closed")
	}
	n := 0
	for _, s := range steps {
		n += len(s.commands)
	}
	if n == 0 {
		return "", nil, fmt.Errorf("section %q has no ```%s blocks: its commands cannot be tested", section, lang)
	}
	return intro.String(), steps, nil
}

func stepStart(line string) string {
	if m := boldStep.FindStringSubmatch(line); m != nil {
		return m[1] + ". " + m[2]
	}
	if m := listStep.FindStringSubmatch(line); m != nil {
		return m[1] + ". " + m[2]
	}
	if strings.HasPrefix(line, "### ") {
		return strings.TrimSpace(line[4:])
	}
	return ""
}

// substitute replaces the placeholders in each step's commands, refusing a
// placeholder the guide never explains, and returns one script per step
// that has commands.
func substitute(intro string, steps []*step, subst map[string]string) ([]string, error) {
	var scripts []string
	for _, s := range steps {
		if len(s.commands) == 0 {
			continue
		}
		text := strings.Join(s.commands, "")
		// Longest name first, so one placeholder inside another is not cut.
		names := make([]string, 0, len(subst))
		for name := range subst {
			names = append(names, name)
		}
		sort.Slice(names, func(i, j int) bool {
			return len(names[i]) > len(names[j]) || len(names[i]) == len(names[j]) && names[i] < names[j]
		})
		for _, name := range names {
			value := subst[name]
			if !strings.Contains(text, name) {
				continue
			}
			quoted := "`" + name + "`"
			if !strings.Contains(s.prose.String(), quoted) && !strings.Contains(intro, quoted) {
				return nil, fmt.Errorf("step %q uses %s in a command, but neither the step nor the section's introduction says what to put in its place (mention %s in the text)", s.title, name, quoted)
			}
			text = strings.ReplaceAll(text, name, value)
		}
		scripts = append(scripts, "# "+s.title+"\n"+text)
	}
	return scripts, nil
}
