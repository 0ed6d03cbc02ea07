package main

import (
	"fmt"

	"passport/policy"
)

func init() {
	register("policy check", "read a site acceptance policy file and print its rules in words", policyCheck)
}

func policyCheck(e *env, args []string) error {
	fs := newFlags(e, "policy check", "FILE",
		"Reads a site acceptance policy (JSON; see fixtures/site-policy.json), reports any mistake,\n"+
			"and prints what it requires in words. Use the file with 'verify --policy' or 'serve --policy'.")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErr("example: passport policy check fixtures/site-policy.json", "give exactly one policy file")
	}
	p, err := policy.Load(files[0])
	if err != nil {
		return usageErr("fixtures/site-policy.json is a working example", "%v", err)
	}
	fmt.Fprintf(e.stdout, "policy %q requires:\n", safe(p.Name))
	for _, line := range p.Describe() {
		fmt.Fprintf(e.stdout, "  - %s\n", line)
	}
	return nil
}
