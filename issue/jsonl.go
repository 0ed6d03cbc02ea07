package issue

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxLineBytes caps one JSON Lines record: a full record with every check
// and training column is under 4 KB; a longer line is not a staff record.
const MaxLineBytes = 64 << 10

// JSONLReader reads HR staff records from JSON Lines: one object per line
// whose keys are the CSV column names (matched the same way: case, spaces
// and hyphens do not matter) and whose values are strings, numbers or null.
type JSONLReader struct {
	sc  *bufio.Scanner
	row int
	m   *Map // renames fields; nil: none
}

var knownCols = knownColumns()

// NewJSONLReader reads records from r.
func NewJSONLReader(r io.Reader) *JSONLReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	return &JSONLReader{sc: sc}
}

// NewJSONLReaderMap is NewJSONLReader with the field names renamed by the
// map's "columns" (nil: none); a field the map ignores is skipped.
func NewJSONLReaderMap(r io.Reader, m *Map) *JSONLReader {
	j := NewJSONLReader(r)
	j.m = m
	return j
}

// Next returns the next record, its errors, or io.EOF. Row numbers are
// line numbers (1-based).
func (j *JSONLReader) Next() (*Record, []*RowError, error) {
	for {
		if !j.sc.Scan() {
			if err := j.sc.Err(); err != nil {
				return nil, nil, fmt.Errorf("line %d: %v (a line is limited to %d bytes)", j.row+1, err, MaxLineBytes)
			}
			return nil, nil, io.EOF
		}
		j.row++
		if j.row > MaxRows {
			return nil, nil, fmt.Errorf("more than %d rows: split the file", MaxRows)
		}
		line := bytes.TrimSpace(j.sc.Bytes())
		if j.row == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		if len(line) == 0 {
			continue
		}
		fields, err := objectFields(line)
		if err != nil {
			return nil, []*RowError{{Row: j.row, Reason: "not a JSON object: " + err.Error()}}, nil
		}
		vals := map[string]string{}
		given := map[string]string{} // normalised name -> the key as written
		var errs []*RowError
		for _, f := range fields {
			k, v := f.key, f.value
			name, use := j.m.column(normaliseHeader(k))
			if !use {
				continue
			}
			if !knownCols[name] {
				errs = append(errs, &RowError{Row: j.row, Column: k, Reason: fmt.Sprintf("unknown field %q (README lists the columns)", k)})
				continue
			}
			// "name" and "Name" are the same column: keeping either would
			// be a guess (a map's order is random), so the line is refused.
			if prev, dup := given[name]; dup {
				errs = append(errs, &RowError{Row: j.row, Column: k,
					Reason: fmt.Sprintf("the column %q is given twice (as %q and %q): keep one", name, prev, k)})
				continue
			}
			given[name] = k
			switch x := v.(type) {
			case nil:
			case string:
				vals[name] = strings.TrimSpace(x)
			case float64:
				vals[name] = strconv.FormatFloat(x, 'f', -1, 64)
			case bool:
				vals[name] = strconv.FormatBool(x)
			default:
				errs = append(errs, &RowError{Row: j.row, Column: k, Reason: "must be a string, number or null"})
			}
		}
		for _, k := range required {
			if _, present := given[k]; !present && len(errs) == 0 {
				errs = append(errs, &RowError{Row: j.row, Column: k, Reason: "is missing: every passport needs it"})
			}
		}
		if len(errs) > 0 {
			return nil, errs, nil
		}
		rec, rerrs := parseRecord(j.row, func(name string) string { return vals[name] })
		return rec, rerrs, nil
	}
}

type field struct {
	key   string
	value any
}

// objectFields decodes one JSON object keeping every key in order, so a
// key given twice is seen (encoding/json into a map keeps only one).
func objectFields(line []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if t, err := dec.Token(); err != nil {
		return nil, err
	} else if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("the line starts with %v, not {", t)
	}
	var out []field
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string) // object keys are always strings
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, field{key, v})
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the end of the object")
	}
	return out, nil
}
