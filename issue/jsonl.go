package issue

import (
	"bufio"
	"bytes"
	"encoding/json"
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
}

var knownCols = knownColumns()

// NewJSONLReader reads records from r.
func NewJSONLReader(r io.Reader) *JSONLReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	return &JSONLReader{sc: sc}
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
		var obj map[string]any
		if err := json.Unmarshal(line, &obj); err != nil {
			return nil, []*RowError{{Row: j.row, Reason: "not a JSON object: " + err.Error()}}, nil
		}
		vals := map[string]string{}
		var errs []*RowError
		for k, v := range obj {
			name := normaliseHeader(k)
			if !knownCols[name] {
				errs = append(errs, &RowError{Row: j.row, Column: k, Reason: fmt.Sprintf("unknown field %q (README lists the columns)", k)})
				continue
			}
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
			if _, ok := vals[k]; !ok && len(errs) == 0 {
				if _, present := obj[k]; !present {
					errs = append(errs, &RowError{Row: j.row, Column: k, Reason: "is missing: every passport needs it"})
				}
			}
		}
		if len(errs) > 0 {
			return nil, errs, nil
		}
		rec, rerrs := parseRecord(j.row, func(name string) string { return vals[name] })
		return rec, rerrs, nil
	}
}
