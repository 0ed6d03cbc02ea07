package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"passport/credential"
	"passport/internal/strictjson"
	"passport/verify"
)

// Policy is what one site accepts: the employment checks and training
// subjects a genuine passport must show, and how recent they must be. It is
// read from a JSON file (see fixtures/site-policy.json and docs) and
// evaluated offline, after the signature verdict, against each valid
// credential.
//
// A credential can be genuine (verify status "valid") and still not meet the
// policy; the two verdicts are reported separately (Result.Status and
// Result.Status).
type Policy struct {
	// Name is shown on the page and in results, e.g. "Riverside wards".
	Name string `json:"name"`
	// Note is free text for the people who maintain the file.
	Note string `json:"note,omitempty"`
	// ExpiringSoonDays: a requirement that stops being met within this many
	// days is reported "expiring_soon" (still accepted). Zero means
	// DefaultExpiringSoonDays; -1 turns the warning off.
	ExpiringSoonDays int `json:"expiring_soon_days,omitempty"`
	// Checks are the employment checks required.
	Checks []CheckRule `json:"checks"`
	// Training are the training subjects required.
	Training []TrainingRule `json:"training"`
	// Groups adds rules by staff group: a passport whose staff group is a
	// key here (compared ignoring case and repeated spaces) must meet that
	// group's rules as well as the ones above. A staff group not listed
	// meets the rules above only.
	Groups map[string]*GroupRules `json:"groups,omitempty"`
	// BundleVersion is the trust-list bundle the policy came from (the
	// authority's signed policies, chosen by name); zero for a local file.
	// It is not part of the file: whoever loads the policy sets it, and it
	// is carried into every Result so the log can record it.
	BundleVersion int64 `json:"-"`
	// BundleName is the name the trust list gives the policy (the one
	// `--policy-name` picks); empty for a local file. Set with
	// BundleVersion.
	BundleName string `json:"-"`

	// groups maps each normalised staff group to its key in Groups.
	groups map[string]string
}

// GroupRules are the rules a policy adds for one staff group.
type GroupRules struct {
	Checks   []CheckRule    `json:"checks,omitempty"`
	Training []TrainingRule `json:"training,omitempty"`
}

// groupKey normalises a staff group for comparison: issuers write them
// with differing case and spacing ("Nursing and Midwifery Registered").
func groupKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// rulesFor returns the name of the staff group whose extra rules apply to
// staffGroup, and the rules; "" and nil when none do.
func (p *Policy) rulesFor(staffGroup string) (string, *GroupRules) {
	name, ok := p.groups[groupKey(staffGroup)]
	if !ok || staffGroup == "" {
		return "", nil
	}
	return name, p.Groups[name]
}

// CheckRule requires one employment check.
type CheckRule struct {
	// Type is a check code: identity, right_to_work, dbs,
	// occupational_health, references, professional_registration (the
	// registry, docs/format.md §1.7), or the raw code of a type of a newer
	// format ("check_7"), which this verifier never counts as met.
	Type string `json:"type"`
	// Levels, when set, lists the accepted levels or kinds of the check
	// type (DBS: basic, standard, enhanced, enhanced_barred,
	// enhanced_barred_adults, enhanced_barred_children; occupational
	// health: standard, epp, restricted). They have no order, so every
	// accepted one is listed. Empty accepts any level, or none.
	Levels []string `json:"levels,omitempty"`
	// Outcomes, when set, lists the accepted outcomes (clear, conditions).
	// Empty accepts both.
	Outcomes []string `json:"outcomes,omitempty"`
	// Within, when set, requires the check to have been done within this
	// period before today: "3y", "18m", "6w" or "90d".
	Within string `json:"within,omitempty"`

	checkType credential.CheckType
	within    period
}

// TrainingRule requires one training subject.
type TrainingRule struct {
	// Subject is a training subject code of the registry, e.g.
	// fire_safety, safeguarding_children, learning_disability_autism, or
	// the raw code of a subject of a newer format ("subject_13"), which
	// this verifier never counts as met.
	Subject string `json:"subject"`
	// MinLevel, when set, is the lowest accepted level or tier of a
	// subject with levels: 3, "3", "level_3" or "level 3" (Safeguarding
	// Children level 3 or higher); "tier_2" for the Oliver McGowan
	// training. A higher level includes the lower ones.
	MinLevel LevelSpec `json:"min_level,omitempty"`
	// Within, when set, requires completion within this period before
	// today ("12m", "3y", ...). The subject's own expiry on the passport
	// always applies too.
	Within string `json:"within,omitempty"`

	subject  credential.Subject
	minLevel credential.LevelDef
	within   period
}

// LevelSpec is a level as written in a policy file: a JSON string
// ("level_3", "tier 2") or a number (3).
type LevelSpec string

// UnmarshalJSON accepts a string or a whole number.
func (l *LevelSpec) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		if _, err := n.Int64(); err != nil {
			return fmt.Errorf("min_level %s is not a whole number", n)
		}
		*l = LevelSpec(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`min_level must be a number or a string such as "level_3"`)
	}
	*l = LevelSpec(s)
	return nil
}

// Status is the overall verdict of a policy on one credential.
type Status string

// Policy verdicts. "met" and "expiring_soon" both mean the site accepts the
// person; "not_met" means it does not; "not_evaluated" means the credential
// was not valid, so the policy was not applied.
const (
	Met          Status = "met"
	ExpiringSoon Status = "expiring_soon"
	NotMet       Status = "not_met"
	NotEvaluated Status = "not_evaluated"
)

// Accepted reports whether the verdict lets the person in: met or
// expiring_soon.
func (s Status) Accepted() bool { return s == Met || s == ExpiringSoon }

// Result is a policy's verdict on one credential.
type Result struct {
	// Policy is the policy's name.
	Policy string `json:"policy"`
	// Status is the overall verdict.
	Status Status `json:"status"`
	// Summary says the verdict in one sentence.
	Summary string `json:"summary"`
	// Requirements holds one entry per rule, in the policy's order: the
	// rules for every passport, then those of its staff group.
	Requirements []Requirement `json:"requirements"`
	// Group is the staff group whose extra rules applied (the policy's
	// spelling of it); empty when none did.
	Group string `json:"group,omitempty"`
	// BundleVersion is the trust-list bundle the policy came from; absent
	// for a local policy file.
	BundleVersion int64 `json:"bundle_version,omitempty"`
	// BundleName is the policy's name in that bundle ("ward-nurse").
	BundleName string `json:"bundle_policy,omitempty"`
}

// Requirement is the verdict on one rule of a policy.
type Requirement struct {
	// Kind is "check" or "training".
	Kind string `json:"kind"`
	// Group is the staff group whose rule this is; empty for a rule of
	// every passport.
	Group string `json:"group,omitempty"`
	// Code is the check type or training subject code.
	Code string `json:"code"`
	// Name is the human-readable name.
	Name string `json:"name"`
	// Status is met, expiring_soon or not_met.
	Status Status `json:"status"`
	// Reason says why, in words.
	Reason string `json:"reason"`
	// Until is the last day (ISO) the rule is met, when it lapses at all.
	Until string `json:"until,omitempty"`
}

// Load reads and validates a policy file.
func Load(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the policy file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the policy file %s: %w", path, err)
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("policy file %s: %w", path, err)
	}
	return p, nil
}

// Parse parses and validates a policy in JSON. Unknown fields, unknown
// check types or subjects and malformed periods are errors, so a typo never
// silently weakens a site's policy.
func Parse(data []byte) (*Policy, error) {
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("it is over %d KB: a policy is a short JSON file (see fixtures/site-policy.json)", MaxBytes>>10)
	}
	var p Policy
	if err := strictjson.Unmarshal(data, MaxBytes, &p); err != nil {
		return nil, fmt.Errorf("not a valid policy: %v (see fixtures/site-policy.json for the format)", err)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func (p *Policy) validate() error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return errors.New(`"name" is empty: name the policy, e.g. "Riverside wards"`)
	}
	if utf8.RuneCountInString(p.Name) > 120 {
		return errors.New(`"name" is over 120 characters: shorten it`)
	}
	if p.ExpiringSoonDays < -1 || p.ExpiringSoonDays > 366 {
		return fmt.Errorf(`"expiring_soon_days" is %d: use 1 to 366 days, 0 for the default (%d) or -1 for no warning`, p.ExpiringSoonDays, DefaultExpiringSoonDays)
	}
	if n := len(p.Checks) + len(p.Training); n == 0 {
		// Group rules alone would let a passport of any other staff group
		// (or none) meet the policy with nothing checked.
		return errors.New(`the policy requires nothing of every passport: list "checks" and/or "training" (e.g. {"type": "identity"}), then add staff groups' rules under "groups"`)
	} else if n > MaxRequirements {
		return fmt.Errorf("the policy has %d rules: at most %d are allowed", n, MaxRequirements)
	}
	if err := validateRules("", p.Checks, p.Training); err != nil {
		return err
	}
	return p.validateGroups()
}

// validateGroups checks the rules added by staff group: each group named,
// once (whatever its case and spacing), with at least one rule and, with
// the rules for every passport, no more than MaxRequirements.
func (p *Policy) validateGroups() error {
	if len(p.Groups) > MaxGroups {
		return fmt.Errorf(`"groups" has %d staff groups: at most %d are allowed`, len(p.Groups), MaxGroups)
	}
	p.groups = make(map[string]string, len(p.Groups))
	for name, g := range p.Groups {
		k := groupKey(name)
		switch {
		case k == "":
			return errors.New(`"groups" has an empty staff group name: use the staff group as passports carry it, e.g. "Nursing and Midwifery Registered"`)
		case len(name) > MaxGroupNameLen || !utf8.ValidString(name) || strings.ContainsFunc(name, credential.UnsafeRune):
			return fmt.Errorf(`"groups": staff group %.40q is over %d bytes or has control characters`, name, MaxGroupNameLen)
		case g == nil || len(g.Checks)+len(g.Training) == 0:
			return fmt.Errorf(`"groups" %q adds no rules: list "checks" and/or "training", or remove it`, name)
		case len(p.Checks)+len(p.Training)+len(g.Checks)+len(g.Training) > MaxRequirements:
			return fmt.Errorf(`"groups" %q: with the rules for every passport it has over %d rules`, name, MaxRequirements)
		}
		if other, dup := p.groups[k]; dup {
			return fmt.Errorf(`"groups" names the staff group twice: %q and %q (case and spaces are ignored)`, other, name)
		}
		p.groups[k] = name
		if err := validateRules(fmt.Sprintf("groups[%q].", name), g.Checks, g.Training); err != nil {
			return err
		}
	}
	return nil
}

// validateRules reads check and training rules into registry codes; where
// is the path of their list in the file, for messages ("" or
// `groups["Nursing"].`).
func validateRules(where string, checks []CheckRule, training []TrainingRule) error {
	for i := range checks {
		c := &checks[i]
		t, err := credential.ParseCheckType(c.Type)
		if n, ok := rawCode("check_", c.Type); err != nil && ok {
			t, err = credential.CheckType(n), nil
		}
		if err != nil {
			return fmt.Errorf("%schecks[%d]: %v (use one of %s)", where, i, err, checkCodeList())
		}
		c.checkType = t
		if err := c.validateLevels(where, i); err != nil {
			return err
		}
		for j, o := range c.Outcomes {
			out, err := credential.ParseOutcome(o)
			if err != nil || strings.TrimSpace(o) == "" {
				return fmt.Errorf("%schecks[%d] (%s): outcome %q: use clear or conditions", where, i, c.Type, o)
			}
			c.Outcomes[j] = out.String()
		}
		if c.within, err = parsePeriod(c.Within); err != nil {
			return fmt.Errorf("%schecks[%d] (%s): within: %v", where, i, c.Type, err)
		}
	}
	for i := range training {
		t := &training[i]
		s, err := credential.ParseSubject(t.Subject)
		if n, ok := rawCode("subject_", t.Subject); err != nil && ok {
			s, err = credential.Subject(n), nil
		}
		if err != nil {
			return fmt.Errorf("%straining[%d]: %v (use one of %s)", where, i, err, subjectCodeList())
		}
		t.subject = s
		if t.MinLevel != "" {
			if !s.Known() {
				return fmt.Errorf("%straining[%d] (%s): this verifier does not know the subject, so it cannot check a min_level: remove it or update passport", where, i, t.Subject)
			}
			if t.minLevel, err = credential.ParseSubjectLevel(s, string(t.MinLevel)); err != nil {
				return fmt.Errorf("%straining[%d] (%s): min_level: %v", where, i, t.Subject, err)
			}
		}
		if t.within, err = parsePeriod(t.Within); err != nil {
			return fmt.Errorf("%straining[%d] (%s): within: %v", where, i, t.Subject, err)
		}
	}
	return nil
}

// validateLevels reads the accepted levels of a check rule into registry
// codes: a level the check type does not have would never match, so it is
// refused rather than left to make the policy silently unmeetable.
func (c *CheckRule) validateLevels(where string, i int) error {
	if len(c.Levels) > 0 && !c.checkType.Known() {
		return fmt.Errorf("%schecks[%d] (%s): this verifier does not know the check type, so it cannot check its levels: remove them or update passport", where, i, c.Type)
	}
	for j, l := range c.Levels {
		lv, err := credential.ParseCheckLevel(c.checkType, l)
		if err != nil {
			return fmt.Errorf("%schecks[%d] (%s): levels[%d]: %v", where, i, c.Type, j, err)
		}
		c.Levels[j] = lv.Code
	}
	return nil
}

// rawCode reads the raw code of an item of a newer format ("subject_13"):
// a policy may require one before this verifier knows it, and then it is
// never met here (docs/format.md §7), which is stricter, never weaker.
func rawCode(prefix, s string) (int, bool) {
	n := credential.NormalizeCode(s)
	if !strings.HasPrefix(n, prefix) {
		return 0, false
	}
	v, err := strconv.Atoi(n[len(prefix):])
	return v, err == nil && v > 0 && v <= 1<<16
}

func checkCodeList() string {
	var s []string
	for _, t := range credential.CheckTypes {
		s = append(s, t.Code())
	}
	return strings.Join(s, ", ")
}

func subjectCodeList() string {
	var s []string
	for _, t := range credential.Subjects {
		s = append(s, t.Code())
	}
	return strings.Join(s, ", ")
}

// period is a calendar period: years, months and days.
type period struct{ y, m, d int }

func (p period) zero() bool { return p == period{} }

func (p period) String() string {
	n, unit := p.d, "day"
	switch {
	case p.y > 0:
		n, unit = p.y, "year"
	case p.m > 0:
		n, unit = p.m, "month"
	case p.d > 0 && p.d%7 == 0:
		n, unit = p.d/7, "week"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// parsePeriod reads "3y", "12m", "6w" or "90d" ("" is no period).
func parsePeriod(s string) (period, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return period{}, nil
	}
	if len(s) < 2 {
		return period{}, fmt.Errorf("%q is not a period: use e.g. 3y, 12m, 6w or 90d", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return period{}, fmt.Errorf("%q is not a period: use a positive number and y, m, w or d, e.g. 3y or 12m", s)
	}
	var p period
	switch s[len(s)-1] {
	case 'y':
		p.y = n
	case 'm':
		p.m = n
	case 'w':
		p.d = 7 * n
	case 'd':
		p.d = n
	default:
		return period{}, fmt.Errorf("%q has an unknown unit: use y (years), m (months), w (weeks) or d (days)", s)
	}
	if p.y*12+p.m+p.d/28 > MaxWithinYears*12 {
		return period{}, fmt.Errorf("%q is longer than %d years", s, MaxWithinYears)
	}
	return p, nil
}

func (p period) after(d credential.Date) credential.Date {
	return credential.DateOf(d.Time().AddDate(p.y, p.m, p.d))
}

func (p *Policy) warnDays() int {
	switch p.ExpiringSoonDays {
	case 0:
		return DefaultExpiringSoonDays
	case -1:
		return 0
	}
	return p.ExpiringSoonDays
}

// Evaluate applies the policy to one credential's typed claims c, given the
// verifier's verdict status on it, at time now (the calendar day is taken in
// UTC, as verify does). A credential that is not valid, or has no passport
// claims (an EU DCC), is "not_evaluated": the policy only ever speaks about
// genuine passports. It reads the claims' typed dates and codes, never the
// JSON view's display strings.
func (p *Policy) Evaluate(status verify.Status, c *credential.Claims, now time.Time) Result {
	out := Result{Policy: p.Name, Requirements: []Requirement{}, BundleVersion: p.BundleVersion, BundleName: p.BundleName}
	if status != verify.StatusValid || c == nil {
		out.Status = NotEvaluated
		out.Summary = "The site policy was not checked because the passport is not valid."
		if status == verify.StatusValid {
			out.Summary = "The site policy was not checked: this is not a staff passport."
		}
		return out
	}
	today := credential.DateOf(now)
	warn := p.warnDays()
	out.Requirements = evalRules(out.Requirements, "", p.Checks, p.Training, c, today, warn)
	group, extra := p.rulesFor(c.Body.Employment.StaffGroup)
	if extra != nil {
		out.Group = group
		out.Requirements = evalRules(out.Requirements, group, extra.Checks, extra.Training, c, today, warn)
	}
	var notMet, soon []string
	for _, q := range out.Requirements {
		switch q.Status {
		case NotMet:
			notMet = append(notMet, q.Name)
		case ExpiringSoon:
			soon = append(soon, q.Name)
		}
	}
	name := fmt.Sprintf("the site policy %q", p.Name)
	if out.Group != "" {
		name += fmt.Sprintf(" with its rules for staff group %q", out.Group)
	}
	switch {
	case len(notMet) > 0:
		out.Status = NotMet
		out.Summary = fmt.Sprintf("Does not meet %s: %s not met.", name, list(notMet))
	case len(soon) > 0:
		out.Status = ExpiringSoon
		out.Summary = fmt.Sprintf("Meets %s, but %s will lapse within %d days.", name, list(soon), warn)
	default:
		out.Status = Met
		out.Summary = fmt.Sprintf("Meets %s.", name)
	}
	return out
}

// evalRules appends to out the verdict on each rule, the best item of the
// passport for it deciding; group names the staff group the rules are
// for ("" for every passport).
func evalRules(out []Requirement, group string, checks []CheckRule, training []TrainingRule, c *credential.Claims, today credential.Date, warn int) []Requirement {
	for _, rule := range checks {
		best := Requirement{Kind: "check", Group: group, Code: rule.checkType.Code(), Name: rule.checkType.String(),
			Status: NotMet, Reason: "not on the passport"}
		found := false
		for _, ch := range c.Body.Checks {
			if ch.Type != rule.checkType {
				continue
			}
			got := rule.evaluate(ch, today, warn)
			got.Kind, got.Group, got.Code, got.Name = best.Kind, best.Group, best.Code, best.Name
			if !found || better(got, best) {
				best, found = got, true
			}
		}
		out = append(out, best)
	}
	for _, rule := range training {
		best := Requirement{Kind: "training", Group: group, Code: rule.subject.Code(), Name: rule.subject.String(),
			Status: NotMet, Reason: "not on the passport"}
		found := false
		for _, t := range c.Body.Training {
			if t.Subject != rule.subject {
				continue
			}
			got := rule.evaluate(t, today, warn)
			got.Kind, got.Group, got.Code, got.Name = best.Kind, best.Group, best.Code, best.Name
			if !found || better(got, best) {
				best, found = got, true
			}
		}
		out = append(out, best)
	}
	return out
}

func list(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

var rank = map[Status]int{NotMet: 0, ExpiringSoon: 1, Met: 2}

// better reports whether a is a better way to meet a rule than b: a better
// status, or the same status lasting longer.
func better(a, b Requirement) bool {
	if rank[a.Status] != rank[b.Status] {
		return rank[a.Status] > rank[b.Status]
	}
	if b.Until == "" || a.Until == "" {
		return a.Until == "" && b.Until != ""
	}
	return a.Until > b.Until // ISO dates compare as strings
}

// notRecognised is the verdict on an item of a newer format: this verifier
// cannot judge it, so it is never met (docs/format.md §7).
func notRecognised(what string) Requirement {
	return Requirement{Status: NotMet,
		Reason: "on the passport with " + what + " this verifier does not recognise: update the verifier (never counted as met until then)"}
}

func (rule TrainingRule) evaluate(t credential.Training, today credential.Date, warn int) Requirement {
	switch {
	case !t.Subject.Known():
		return notRecognised("a subject (" + t.Subject.Code() + ")")
	case !t.Known():
		what := "fields of a newer format"
		if !t.LevelKnown() {
			what = "a level (" + t.Level + ")"
		}
		return notRecognised(what)
	case rule.minLevel.ID > 0 && t.LevelRank() < rule.minLevel.ID:
		level := t.LevelLabel()
		if level == "" {
			level = "not stated"
		}
		return Requirement{Status: NotMet,
			Reason: fmt.Sprintf("the %s is %s; this site requires %s or higher", t.Subject.LevelName(), strings.ToLower(level), strings.ToLower(rule.minLevel.Label))}
	}
	return judge(t.Completed, t.Expires, rule.within, today, warn, "completed")
}

func (rule CheckRule) evaluate(c credential.Check, today credential.Date, warn int) Requirement {
	switch {
	case !c.Type.Known():
		return notRecognised("a check type (" + c.Type.Code() + ")")
	case !c.Outcome.Known():
		return notRecognised("an outcome (" + c.Outcome.String() + ")")
	case !c.LevelKnown():
		return notRecognised("a " + c.Type.LevelName() + " (" + c.Level + ")")
	case !c.Known():
		return notRecognised("fields of a newer format")
	}
	if outcome := c.Outcome.String(); len(rule.Outcomes) > 0 && !contains(rule.Outcomes, outcome) {
		return Requirement{Status: NotMet,
			Reason: fmt.Sprintf("the outcome is %q; this site accepts only %s", outcome, strings.Join(rule.Outcomes, " or "))}
	}
	if len(rule.Levels) > 0 && !contains(rule.Levels, credential.NormalizeCode(c.Level)) {
		level := strings.ReplaceAll(credential.NormalizeCode(c.Level), "_", " ")
		if level == "" {
			level = "not stated"
		}
		return Requirement{Status: NotMet,
			Reason: fmt.Sprintf("the %s is %s; this site requires %s", c.Type.LevelName(), level, levelList(rule.Levels))}
	}
	return judge(c.Done, c.Expires, rule.within, today, warn, "done")
}

func levelList(levels []string) string {
	words := make([]string, len(levels))
	for i, l := range levels {
		words[i] = strings.ReplaceAll(l, "_", " ")
	}
	if len(words) == 1 {
		return words[0]
	}
	return "one of: " + strings.Join(words, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// judge decides a rule from the date an item was done, its own expiry on
// the passport and the site's "within" period.
func judge(done, expires credential.Date, within period, today credential.Date, warn int, doneWord string) Requirement {
	var until credential.Date
	var cause string
	if !expires.IsZero() {
		until, cause = expires, "expiry"
	}
	if !within.zero() {
		if done.IsZero() {
			return Requirement{Status: NotMet, Reason: fmt.Sprintf("no date is recorded; this site requires it within %s", within)}
		}
		if w := within.after(done); until.IsZero() || w.Before(until) {
			until, cause = w, "within"
		}
	}
	doneText := ""
	if !done.IsZero() {
		doneText = fmt.Sprintf("%s %s", doneWord, done.Human())
	}
	res := Requirement{Status: Met}
	if !until.IsZero() {
		// until is the first day the rule is no longer met (an expiry date
		// is the last valid day, so the rule lapses the day after it).
		last := until
		if cause == "within" {
			last = until.AddDays(-1)
		}
		res.Until = last.String()
		switch {
		case last.Before(today) && cause == "within":
			res.Status = NotMet
			res.Reason = fmt.Sprintf("%s, more than %s ago; this site requires it within %s", doneText, within, within)
			return res
		case last.Before(today):
			res.Status = NotMet
			res.Reason = fmt.Sprintf("expired on %s", last.Human())
			return res
		case warn > 0 && last.Before(today.AddDays(warn)):
			days := last.Days() - today.Days()
			res.Status = ExpiringSoon
			res.Reason = fmt.Sprintf("%s; met until %s (%s)", doneText, last.Human(), inDays(days))
			return res
		}
		res.Reason = fmt.Sprintf("%s; met until %s", doneText, last.Human())
		return res
	}
	res.Reason = doneText
	if res.Reason == "" {
		res.Reason = "present"
	}
	return res
}

func inDays(n int64) string {
	switch n {
	case 0:
		return "last day today"
	case 1:
		return "1 day left"
	}
	return fmt.Sprintf("%d days left", n)
}

// ParseRetention reads a log retention period: "395d", "52w", "13m" (a
// month counts as 31 days), "2y" (365 days), a Go duration such as "720h",
// or "0" to keep every entry.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	p, err := parsePeriod(s)
	if err != nil || p.zero() {
		if d, err := time.ParseDuration(s); err == nil && d > 0 && !strings.HasSuffix(s, "m") {
			return d, nil // "720h"; a bare "13m" is months, above
		}
		return 0, fmt.Errorf("%q is not a retention period: use e.g. 395d, 13m, 2y, or 0 to keep everything", s)
	}
	const day = 24 * time.Hour
	return time.Duration(p.y)*365*day + time.Duration(p.m)*31*day + time.Duration(p.d)*day, nil
}

// Describe lists the policy's rules in words, one per line, for people
// checking a policy file.
func (p *Policy) Describe() []string {
	out := describeRules(p.Checks, p.Training)
	names := make([]string, 0, len(p.Groups))
	for name := range p.Groups {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, line := range describeRules(p.Groups[name].Checks, p.Groups[name].Training) {
			out = append(out, fmt.Sprintf("for staff group %q also: %s", name, line))
		}
	}
	if w := p.warnDays(); w > 0 {
		out = append(out, fmt.Sprintf("(items lapsing within %d days are shown as expiring soon)", w))
	}
	return out
}

// describeRules says each rule in words.
func describeRules(checks []CheckRule, training []TrainingRule) []string {
	var out []string
	for _, c := range checks {
		if !c.checkType.Known() {
			out = append(out, unknownRule("check type", int(c.checkType), c.checkType.Code()))
			continue
		}
		s := c.checkType.String() + " check"
		if len(c.Levels) > 0 {
			s += ", " + c.checkType.LevelName() + " " + levelList(c.Levels)
		}
		if len(c.Outcomes) > 0 {
			s += ", outcome " + strings.Join(c.Outcomes, " or ")
		}
		if !c.within.zero() {
			s += ", done within the last " + c.within.String()
		}
		out = append(out, s+", not expired")
	}
	for _, t := range training {
		if !t.subject.Known() {
			out = append(out, unknownRule("training subject", int(t.subject), t.subject.Code()))
			continue
		}
		s := t.subject.String() + " training"
		if t.minLevel.ID > 0 {
			s += ", " + strings.ToLower(t.minLevel.Label) + " or higher"
		}
		if !t.within.zero() {
			s += ", completed within the last " + t.within.String()
		}
		out = append(out, s+", not expired")
	}
	return out
}

func unknownRule(what string, n int, code string) string {
	return fmt.Sprintf("%s %d (%s), not known to this verifier: never met until passport is updated", what, n, code)
}
