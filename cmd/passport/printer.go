package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"passport/policy"
	"passport/verify"
)

// printer writes verdicts as a receptionist reads them, as a table, or as JSON Lines.
type printer struct {
	w      io.Writer
	json   *json.Encoder
	table  *tabwriter.Writer
	counts map[verify.Status]int
}

func newPrinter(w io.Writer, asJSON, brief bool) *printer {
	p := &printer{w: w, counts: map[verify.Status]int{}}
	if asJSON {
		p.json = json.NewEncoder(w)
		p.json.SetEscapeHTML(false)
	} else if brief {
		p.table = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(p.table, "RESULT\tNAME\tROLE\tISSUER\tPASSPORT EXPIRES\tNOTES\tINPUT")
	}
	return p
}

var verdictWord = map[verify.Status]string{
	verify.StatusValid: "VALID", verify.StatusInvalid: "INVALID", verify.StatusUnreadable: "CANNOT READ",
}

func (p *printer) print(v policy.Verdict) {
	r := v.Result
	p.counts[r.Status]++
	switch {
	case p.json != nil:
		p.json.Encode(v)
	case p.table != nil:
		var name, role, exp string
		if c := r.Claims; c != nil {
			name, role, exp = c.Person.Name, c.Employment.Role, day(c.ValidUntil)
		}
		notes := []string{}
		for _, x := range r.Reasons {
			notes = append(notes, string(x.Code))
		}
		if v.Policy != nil && v.Policy.Status != policy.NotEvaluated {
			notes = append(notes, "policy "+string(v.Policy.Status))
		}
		lapsed := 0
		for _, x := range r.Warnings {
			if x.Code == verify.WarnLapsed {
				lapsed++
			} else {
				notes = append(notes, string(x.Code))
			}
		}
		if lapsed > 0 {
			notes = append(notes, fmt.Sprintf("%d lapsed", lapsed))
		}
		fmt.Fprintf(p.table, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", verdictWord[r.Status], safe(name), safe(role), safe(r.Issuer), exp,
			strings.Join(notes, ", "), safe(r.Input))
	default:
		p.long(r, v.Policy, v.Decision)
	}
}

var policyWord = map[policy.Status]string{
	policy.Met: "MEETS SITE POLICY", policy.ExpiringSoon: "MEETS SITE POLICY (some items lapse soon)",
	policy.NotMet: "DOES NOT MEET SITE POLICY",
}

func (p *printer) long(r verify.Result, pol *policy.Result, d policy.Decision) {
	w := p.w
	fmt.Fprintf(w, "%s  %s\n", verdictWord[r.Status], safe(r.Input))
	fmt.Fprintf(w, "  decision: %s — %s\n", d.Headline, d.Reason)
	for _, x := range d.Reasons[min(1, len(d.Reasons)):] {
		fmt.Fprintf(w, "            %s\n", safe(x))
	}
	fmt.Fprintf(w, "  next:     %s\n", d.NextStep)
	if r.Document == verify.DocumentEUDCC {
		fmt.Fprintf(w, "  document: EU Digital COVID Certificate — not a staff passport\n")
	}
	for _, x := range r.Reasons {
		fmt.Fprintf(w, "  why:      %s (%s)\n", safe(x.Message), x.Code)
	}
	if c := r.Claims; c != nil {
		fmt.Fprintf(w, "  name:     %s\n", safe(c.Person.Name))
		// The employer of record is the organisation whose key signed, as
		// the trust list names it, never a name the credential asserts.
		fmt.Fprintf(w, "  role:     %s, %s (%s)\n", safe(c.Employment.Role), safe(employerOfRecord(r)), safe(r.Issuer))
		fmt.Fprintf(w, "  staff no: %s", safe(c.Person.StaffNumber))
		if c.Person.Registration != "" {
			fmt.Fprintf(w, " · registration %s", safe(c.Person.Registration))
		}
		if c.Person.DateOfBirth != "" {
			fmt.Fprintf(w, " · born %s", humanDate(c.Person.DateOfBirth))
		}
		fmt.Fprintf(w, "\n  passport: valid %s to %s · id %s\n", day(c.ValidFrom), day(c.ValidUntil), r.CredentialID)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, ch := range c.Checks {
			label := "  checks:"
			if i > 0 {
				label = ""
			}
			what := ch.Name
			if ch.LevelLabel != "" {
				what += " (" + ch.LevelLabel + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\tdone %s\t%s%s\n", label, safe(what), ch.OutcomeLabel, humanDate(ch.Done), expiry(ch.Expires, ch.Expired),
				notRecognised(ch.NotRecognised, ch.Type, ch.Level))
		}
		for i, t := range c.Training {
			label := "  training:"
			if i > 0 {
				label = ""
			}
			what := t.Name
			if t.LevelLabel != "" {
				what += ", " + t.LevelLabel
			}
			fmt.Fprintf(tw, "%s\t%s\t\tdone %s\t%s%s\n", label, safe(what), humanDate(t.Completed), expiry(t.Expires, t.Expired),
				notRecognised(t.NotRecognised, t.Subject, t.Level))
		}
		tw.Flush()
	}
	if r.DCC != nil {
		printDCC(w, r.DCC)
	}
	if pol != nil && pol.Status != policy.NotEvaluated {
		fmt.Fprintf(w, "  policy:   %s — %s\n", policyWord[pol.Status], safe(pol.Summary))
		for _, req := range pol.Requirements {
			if req.Status != policy.Met {
				fmt.Fprintf(w, "            %s: %s (%s)\n", req.Name, safe(req.Reason), req.Status)
			}
		}
	}
	for _, x := range r.Warnings {
		fmt.Fprintf(w, "  warning:  %s\n", safe(x.Message))
	}
	fmt.Fprintln(w)
}

// notRecognised marks an item of a newer passport format with its raw
// codes: the verdict's warning says to update the verifier, and a site
// policy never counts the item as met.
func notRecognised(yes bool, code, level string) string {
	if !yes {
		return ""
	}
	if level != "" {
		code += ", " + level
	}
	return "  NOT RECOGNISED (" + safe(code) + ")"
}

func expiry(iso string, expired bool) string {
	switch {
	case iso == "":
		return "no expiry"
	case expired:
		return "LAPSED " + humanDate(iso)
	}
	return "expires " + humanDate(iso)
}

func humanDate(iso string) string {
	if len(iso) >= 10 {
		if t, err := parseTime(iso[:10]); err == nil {
			return t.Format("02 Jan 2006")
		}
	}
	return iso
}

func (p *printer) done() {
	if p.table != nil {
		p.table.Flush()
	}
	if p.json == nil {
		fmt.Fprintf(p.w, "%d valid, %d invalid, %d unreadable\n", p.counts[verify.StatusValid], p.counts[verify.StatusInvalid], p.counts[verify.StatusUnreadable])
	}
}

// employerOfRecord names the signing organisation: the trusted key's name,
// else its code.
func employerOfRecord(r verify.Result) string {
	if r.IssuerName != "" {
		return r.IssuerName
	}
	return r.Issuer
}
