package issue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"passport/credential"
	"passport/internal/strictjson"
)

// Limits on a mapping file: an organisation's whole course catalogue is a
// few hundred names; a file larger than this is not a mapping.
const (
	MaxMapBytes   = 1 << 20
	MaxMapEntries = 10_000
)

// Map tells the issuer how an organisation's exports are spelled: which of
// their column names are ours, and which local course names are which
// registry subject. One map serves the people file and the learning file,
// CSV and JSON Lines alike.
type Map struct {
	// Columns renames their (normalised) column names to ours; "" means
	// the column is ignored.
	Columns map[string]string
	// Courses maps a normalised course name to a subject and level.
	Courses map[string]CourseMap
}

// CourseMap is one entry of a map's "courses".
type CourseMap struct {
	Subject string `json:"subject"`
	Level   string `json:"level"`
	// Ignore marks a course that has no place on a passport (a local
	// induction, a car-park briefing), so it is not reported as unknown.
	Ignore bool `json:"ignore"`

	subject credential.Subject
}

type mapFile struct {
	Columns map[string]string    `json:"columns"`
	Courses map[string]CourseMap `json:"courses"`
}

// LoadMap reads a mapping file (README, "Learning records"): a JSON object
// with "columns" and "courses". Unknown keys, a key given twice, unknown
// subjects or levels and a target column we do not have are refused, so a
// typing mistake fails loudly instead of dropping training silently.
func LoadMap(r io.Reader) (*Map, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxMapBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxMapBytes {
		return nil, fmt.Errorf("the map is over %d bytes", MaxMapBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var f mapFile
	if err := strictjson.Unmarshal(data, MaxMapBytes, &f); err != nil {
		return nil, fmt.Errorf("not a map: %v", err)
	}
	if len(f.Columns)+len(f.Courses) > MaxMapEntries {
		return nil, fmt.Errorf("the map has over %d entries", MaxMapEntries)
	}
	m := &Map{Columns: map[string]string{}, Courses: map[string]CourseMap{}}
	for theirs, ours := range f.Columns {
		k := normaliseHeader(theirs)
		if k == "" {
			return nil, fmt.Errorf("columns: an empty column name")
		}
		o := normaliseHeader(ours)
		if o != "" && !knownCols[o] && !learningCols[o] {
			return nil, fmt.Errorf("columns: %q maps to %q, which is not one of our columns (README lists them; \"\" ignores the column)", theirs, ours)
		}
		if _, dup := m.Columns[k]; dup {
			return nil, fmt.Errorf("columns: %q is given twice (names match whatever their case, spaces and hyphens)", theirs)
		}
		m.Columns[k] = o
	}
	for name, c := range f.Courses {
		k := courseKey(name)
		if k == "" {
			return nil, errors.New("courses: an empty course name")
		}
		if _, dup := m.Courses[k]; dup {
			return nil, fmt.Errorf("courses: %q is given twice (names match whatever their case and spacing)", name)
		}
		switch {
		case c.Ignore && (c.Subject != "" || c.Level != ""):
			return nil, fmt.Errorf("courses: %q has both ignore and a subject: keep one", name)
		case c.Ignore:
		default:
			s, err := credential.ParseSubject(c.Subject)
			if err != nil {
				return nil, fmt.Errorf("courses: %q: %v", name, err)
			}
			c.subject = s
			if c.Level != "" {
				l, err := credential.ParseSubjectLevel(s, c.Level)
				if err != nil {
					return nil, fmt.Errorf("courses: %q: %v", name, err)
				}
				c.Level = l.Code
			}
		}
		m.Courses[k] = c
	}
	return m, nil
}

// column renames a normalised column name through the map; ok is false
// when the map says to ignore it.
func (m *Map) column(name string) (string, bool) {
	if m == nil {
		return name, true
	}
	if o, ok := m.Columns[name]; ok {
		return o, o != ""
	}
	return name, true
}

// courseKey is how course names are matched: case and runs of spaces do
// not matter.
func courseKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// sortedCounts lists a name→count map most frequent first, then by name.
func sortedCounts(m map[string]int) []NameCount {
	out := make([]NameCount, 0, len(m))
	for k, v := range m {
		out = append(out, NameCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// NameCount is a name and how many rows had it.
type NameCount struct {
	Name  string
	Count int
}
