package strictjson

import (
	"strings"
	"testing"
)

type rule struct {
	Type  string `json:"type"`
	Level string `json:"level,omitempty"`
}

type doc struct {
	Name   string         `json:"name"`
	Checks []rule         `json:"checks"`
	Groups map[string]any `json:"groups,omitempty"`
}

func TestUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		name, in, wantErr string
	}{
		{"valid", `{"name":"Ward","checks":[{"type":"dbs","level":"enhanced"},{"type":"rtw"}],"groups":{"a":{"x":1},"b":[{"x":1},{"x":2}]}}`, ""},
		{"key twice at the top", `{"checks":[{"type":"dbs"}],"name":"W","checks":[]}`, `key "checks" appears twice in $`},
		{"key twice in an array element", `{"name":"W","checks":[{"type":"dbs"},{"type":"rtw","type":"dbs"}]}`, `key "type" appears twice in $.checks[]`},
		{"key twice in a nested map", `{"name":"W","checks":[],"groups":{"a":{"x":1,"x":2}}}`, `key "x" appears twice in $.groups.a`},
		{"same key in two cases", `{"name":"W","Name":"V","checks":[]}`, `keys "name" and "Name"`},
		{"equal keys in sibling objects are fine", `{"name":"W","checks":[{"type":"a"},{"type":"b"}]}`, ""},
		{"unknown key", `{"name":"W","chekcs":[]}`, `unknown key "chekcs"`},
		{"two values", `{"name":"W","checks":[]} {}`, "more than one JSON value"},
		{"truncated", `{"name":"W","checks":[`, "ends too early"},
		{"wrong type", `{"name":3,"checks":[]}`, `"name" holds a JSON number`},
		{"not UTF-8", "{\"name\":\"\xff\"}", "not UTF-8"},
		{"too deep", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), "deeper than"},
		{"too large", `{"name":"` + strings.Repeat("x", 2000) + `"}`, "over the 1024-byte limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := Unmarshal([]byte(tc.in), 1024, &d)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"name":"W","checks":[{"type":"dbs"}]}`))
	f.Add([]byte(`{"a":{"b":[1,{"c":2,"c":3}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d doc
		_ = Unmarshal(data, 1<<16, &d)
		var anything any
		_ = Unmarshal(data, 1<<16, &anything)
	})
}
