// Command regdoc rewrites the registry tables in docs/format.md and
// README.md from the credential registry. Run it with go generate ./credential.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"passport/internal/regdoc"
)

func main() {
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "regdoc: error:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	for _, name := range regdoc.Documents {
		path := filepath.Join(root, name)
		old, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out, _, err := regdoc.Apply(string(old), regdoc.Tables())
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if out != string(old) {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				return err
			}
			fmt.Println("regdoc: updated", path)
		}
	}
	return nil
}
