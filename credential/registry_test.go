package credential

import (
	"strings"
	"testing"
)

func TestRegistryWellFormed(t *testing.T) {
	ids, codes := map[string]bool{}, map[string]bool{}
	seen := func(kind string, id int, code, label string) {
		t.Helper()
		key := kind + ":" + string(rune('0'+id))
		if ids[key] || codes[kind+":"+code] {
			t.Errorf("%s %d %q appears twice", kind, id, code)
		}
		ids[key], codes[kind+":"+code] = true, true
		if id < 1 || code == "" || label == "" || code != NormalizeCode(code) {
			t.Errorf("%s %d: code %q label %q: ids start at 1, codes are normalised, labels are set", kind, id, code, label)
		}
	}
	levelsOK := func(owner, name string, list []LevelDef) {
		if (name == "") != (len(list) == 0) {
			t.Errorf("%s: level name %q with %d levels", owner, name, len(list))
		}
		got := map[string]bool{}
		for i, l := range list {
			if l.ID != i+1 || got[l.Code] || l.Label == "" || l.Code != NormalizeCode(l.Code) {
				t.Errorf("%s level %+v: ids 1..n in order, unique normalised codes, a label", owner, l)
			}
			got[l.Code] = true
		}
	}
	for _, d := range CheckDefs() {
		seen("check", d.ID, d.Code, d.Label)
		levelsOK(d.Code, d.LevelName, d.Levels)
		if d.Since < 1 || d.Since > SchemaVersion {
			t.Errorf("check %s since version %d", d.Code, d.Since)
		}
	}
	for _, d := range SubjectDefs() {
		seen("subject", d.ID, d.Code, d.Label)
		levelsOK(d.Code, d.LevelName, d.Levels)
		if d.RefresherYears < 1 || d.Since < 1 || d.Since > SchemaVersion {
			t.Errorf("subject %s: refresher %d years, since %d", d.Code, d.RefresherYears, d.Since)
		}
	}
	for _, d := range OutcomeDefs() {
		seen("outcome", d.ID, d.Code, d.Label)
	}
	for _, r := range ReasonDefs() {
		if codes["reason:"+string(r.Code)] || r.Doc == "" || r.Layer == "" {
			t.Errorf("reason %s: repeated or undocumented", r.Code)
		}
		codes["reason:"+string(r.Code)] = true
	}
}

// TestRegistryWhatSitesAskFor pins the entries receiving sites asked for.
func TestRegistryWhatSitesAskFor(t *testing.T) {
	for _, c := range []struct {
		s    Subject
		code string
		want int
	}{
		{SubjectSafeguardingChild, "3", 3}, {SubjectSafeguardingChild, "Level 2", 2}, {SubjectSafeguardingAdults, "level_3", 3},
		{SubjectResuscitation, "3", 3}, {SubjectInfectionPrevention, "2", 2}, {SubjectMovingHandling, "level-2", 2},
		{SubjectLearningDisability, "tier 2", 2}, {SubjectLearningDisability, "1", 1},
	} {
		l, err := ParseSubjectLevel(c.s, c.code)
		if err != nil || l.ID != c.want {
			t.Errorf("%s level %q = %+v, %v; want %d", c.s.Code(), c.code, l, err, c.want)
		}
	}
	for _, bad := range []struct {
		s    Subject
		code string
	}{{SubjectSafeguardingChild, "4"}, {SubjectInfectionPrevention, "3"}, {SubjectFireSafety, "1"}, {SubjectLearningDisability, "level_1"}} {
		if _, err := ParseSubjectLevel(bad.s, bad.code); err == nil {
			t.Errorf("%s level %q accepted", bad.s.Code(), bad.code)
		}
	}
	for code, want := range map[string]int{"basic": 1, "Enhanced-Barred": 6, "enhanced barred adults": 4, "enhanced_barred_children": 5} {
		if l, err := ParseCheckLevel(CheckDBS, code); err != nil || l.ID != want {
			t.Errorf("DBS %q = %+v, %v; want %d", code, l, err, want)
		}
	}
	if l, err := ParseCheckLevel(CheckOccupationalHealth, "EPP"); err != nil || !strings.Contains(l.Label, "exposure-prone") {
		t.Errorf("occupational health EPP = %+v, %v", l, err)
	}
	if SubjectLearningDisability.Code() != "learning_disability_autism" || SubjectLearningDisability.RefresherYears() != 3 {
		t.Errorf("Oliver McGowan training: %s, %d years", SubjectLearningDisability.Code(), SubjectLearningDisability.RefresherYears())
	}
}

func TestNormalizeCode(t *testing.T) {
	for in, want := range map[string]string{" Enhanced-Barred ": "enhanced_barred", "Level 3": "level_3", "tier_1": "tier_1", "": ""} {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}
