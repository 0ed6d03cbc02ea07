package verify

import (
	"testing"

	"passport/trust"
)

// TestEveryPrefixHasAProfile: every prefix a scanner's text is searched
// for has exactly one profile, and no two profiles share a document kind
// or a key kind, so a document can never be judged by another's rules or
// verified with a key trusted for another kind.
func TestEveryPrefixHasAProfile(t *testing.T) {
	docs, kinds := map[Document]string{}, map[trust.KeyKind]string{}
	for _, p := range prefixes {
		prof, ok := profiles[p]
		if !ok {
			t.Errorf("prefix %q has no profile", p)
			continue
		}
		if prof.judge == nil || prof.document == "" || prof.kind == "" {
			t.Errorf("prefix %q: incomplete profile %+v", p, prof)
		}
		if other, dup := docs[prof.document]; dup {
			t.Errorf("prefixes %q and %q both judge %s", other, p, prof.document)
		}
		if other, dup := kinds[prof.kind]; dup {
			t.Errorf("prefixes %q and %q both take keys of kind %s", other, p, prof.kind)
		}
		docs[prof.document], kinds[prof.kind] = p, p
	}
	if len(profiles) != len(prefixes) {
		t.Errorf("%d profiles for %d prefixes", len(profiles), len(prefixes))
	}
}
