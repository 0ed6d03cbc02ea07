package issue

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"passport/credential"
)

// learningCols are the columns of a learning file, one row per person per
// course (README, "Learning records"). Their own spellings are renamed to
// these by a map's "columns", or by learningAliases for the common exports.
var learningCols = map[string]bool{"staff_number": true, "course": true, "completed": true, "expires": true, "level": true}

// learningAliases are column names that workforce and learning systems
// export (the NHS Electronic Staff Record's competency reports among them),
// read without a map. A map's "columns" wins over them.
var learningAliases = map[string]string{
	"assignment_number": "staff_number", "employee_number": "staff_number", "assignment": "staff_number", "person": "staff_number",
	"competency_name": "course", "competence_name": "course", "course_name": "course", "competency": "course",
	"date_last_awarded": "completed", "completion_date": "completed", "date_completed": "completed", "completed_date": "completed", "achieved": "completed",
	"expiry_date": "expires", "expiry": "expires", "expires_on": "expires",
	"competency_level": "level",
}

// Learning is a learning file read into the latest completion of each
// subject per staff number, with what could not be used.
type Learning struct {
	// Rows is the number of data rows read.
	Rows int
	// Unrecognised counts rows per course name that is neither a national
	// (CSTF) name nor in the map's "courses".
	Unrecognised map[string]int
	// NotCompleted counts rows without a completion date (a requirement
	// not yet met is not training).
	NotCompleted int

	training map[string]map[credential.Subject]credential.Training
	errs     map[string][]*RowError // by staff key: bad rows of that person
	staff    map[string]string      // staff key -> the staff number as written
	orphan   []*RowError            // rows without a staff number
	seen     map[string]bool        // staff keys met in the people file
}

func staffKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// LoadLearning reads a learning file (CSV, or JSON Lines when jsonl is
// set) through the map m (nil: no map). A row that cannot be read is held
// against its staff number and fails that person's passport; a file-level
// problem (header, size, syntax) is the error.
func LoadLearning(r io.Reader, jsonl bool, m *Map) (*Learning, error) {
	l := &Learning{Unrecognised: map[string]int{}, training: map[string]map[credential.Subject]credential.Training{},
		errs: map[string][]*RowError{}, staff: map[string]string{}, seen: map[string]bool{}}
	rename := func(h string) (string, bool) {
		n := normaliseHeader(h)
		if m != nil {
			if o, ok := m.Columns[n]; ok {
				return o, o != ""
			}
		}
		if a, ok := learningAliases[n]; ok {
			return a, true
		}
		return n, true
	}
	var rows func() (int, func(string) string, error)
	if jsonl {
		rows = jsonlLearningRows(r, rename)
	} else {
		var err error
		if rows, err = csvLearningRows(r, rename); err != nil {
			return nil, err
		}
	}
	for {
		row, get, err := rows()
		if err == io.EOF {
			return l, nil
		}
		if err != nil {
			return nil, err
		}
		l.Rows++
		if l.Rows > MaxRows {
			return nil, fmt.Errorf("more than %d rows: split the file", MaxRows)
		}
		l.add(row, get, m)
	}
}

// csvLearningRows reads the header of a CSV learning file and returns its rows.
func csvLearningRows(r io.Reader, rename func(string) (string, bool)) (func() (int, func(string) string, error), error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &RowError{Reason: "the learning file is empty: the first line must name the columns"}
	} else if err != nil {
		return nil, &RowError{Row: 1, Reason: "cannot read the header: " + err.Error()}
	}
	col := map[string]int{}
	for i, h := range header {
		name, use := rename(h)
		if !use || name == "" {
			continue
		}
		if !learningCols[name] {
			return nil, &RowError{Row: 1, Column: h, Reason: fmt.Sprintf("unknown column %q in the learning file: name it in the map's \"columns\" (to one of staff_number, course, completed, expires, level, or \"\" to ignore it)", h)}
		}
		if _, dup := col[name]; dup {
			return nil, &RowError{Row: 1, Column: h, Reason: fmt.Sprintf("two columns are %s: keep one, or ignore one in the map", name)}
		}
		col[name] = i
	}
	for _, k := range []string{"staff_number", "course", "completed"} {
		if _, ok := col[k]; !ok {
			return nil, &RowError{Row: 1, Column: k, Reason: fmt.Sprintf("the learning file has no %s column: name it in the map's \"columns\"", k)}
		}
	}
	row := 1
	return func() (int, func(string) string, error) {
		for {
			fields, err := cr.Read()
			row++
			if err == io.EOF {
				return 0, nil, io.EOF
			}
			if err != nil {
				var pe *csv.ParseError
				if !errors.As(err, &pe) || pe.Err != csv.ErrFieldCount {
					return 0, nil, fmt.Errorf("learning file row %d: %v", row, err)
				}
			}
			if allEmpty(fields) {
				continue
			}
			return row, func(name string) string {
				i, ok := col[name]
				if !ok || i >= len(fields) {
					return ""
				}
				return strings.TrimSpace(fields[i])
			}, nil
		}
	}, nil
}

// jsonlLearningRows returns the rows of a JSON Lines learning file.
func jsonlLearningRows(r io.Reader, rename func(string) (string, bool)) func() (int, func(string) string, error) {
	j := NewJSONLReader(r)
	return func() (int, func(string) string, error) {
		for {
			if !j.sc.Scan() {
				if err := j.sc.Err(); err != nil {
					return 0, nil, fmt.Errorf("learning file line %d: %v (a line is limited to %d bytes)", j.row+1, err, MaxLineBytes)
				}
				return 0, nil, io.EOF
			}
			j.row++
			line := strings.TrimSpace(strings.TrimPrefix(j.sc.Text(), "\ufeff"))
			if line == "" {
				continue
			}
			fields, err := objectFields([]byte(line))
			if err != nil {
				return 0, nil, fmt.Errorf("learning file line %d: not a JSON object: %v", j.row, err)
			}
			vals := map[string]string{}
			for _, f := range fields {
				name, use := rename(f.key)
				if !use {
					continue
				}
				if !learningCols[name] {
					return 0, nil, fmt.Errorf("learning file line %d: unknown field %q: name it in the map's \"columns\"", j.row, f.key)
				}
				if _, dup := vals[name]; dup {
					return 0, nil, fmt.Errorf("learning file line %d: two fields are %s: keep one", j.row, name)
				}
				switch x := f.value.(type) {
				case nil:
					vals[name] = ""
				case string:
					vals[name] = strings.TrimSpace(x)
				case float64:
					vals[name] = strconv.FormatFloat(x, 'f', -1, 64)
				default:
					return 0, nil, fmt.Errorf("learning file line %d: field %q must be a string, number or null", j.row, f.key)
				}
			}
			return j.row, func(name string) string { return vals[name] }, nil
		}
	}
}

// add reads one learning row into l.
func (l *Learning) add(row int, get func(string) string, m *Map) {
	staff := get("staff_number")
	// "12345678|Jane Smith": the person as an assignment number and a name.
	if i := strings.IndexByte(staff, '|'); i >= 0 {
		staff = strings.TrimSpace(staff[:i])
	}
	course := norm.NFC.String(get("course"))
	bad := func(col, val, reason string) {
		e := &RowError{Row: row, Column: col, Value: val, Reason: reason}
		if staff == "" {
			l.orphan = append(l.orphan, e)
			return
		}
		k := staffKey(staff)
		l.staff[k] = staff
		l.errs[k] = append(l.errs[k], e)
	}
	if staff == "" {
		bad("staff_number", "", "is empty: each learning row needs the staff (assignment) number it belongs to")
		return
	}
	if len(staff) > MaxCellBytes || len(course) > MaxCellBytes {
		bad("course", "", fmt.Sprintf("a cell is over the %d-byte limit", MaxCellBytes))
		return
	}
	if course == "" {
		bad("course", "", "is empty: give the course (competence) name")
		return
	}
	subject, level, ok := m.course(course)
	if !ok {
		l.Unrecognised[course]++
		return
	}
	if subject == 0 { // ignored by the map
		return
	}
	doneText := get("completed")
	if doneText == "" {
		l.NotCompleted++
		return
	}
	done, _, err := parseLearningDate(doneText)
	if err != nil || done.IsZero() {
		bad("completed", doneText, fmt.Sprintf("%q is not a date (use YYYY-MM-DD, DD/MM/YYYY, 30-Nov-2028 or 2024/01/01 00:00:00)", doneText))
		return
	}
	exp, never, err := parseLearningDate(get("expires"))
	switch {
	case err != nil:
		bad("expires", get("expires"), fmt.Sprintf("%q is not a date or \"No Expiry\"", get("expires")))
		return
	case never:
	case exp.IsZero():
		exp = credential.DateOf(done.Time().AddDate(subject.RefresherYears(), 0, 0)) // from the registry
	case exp.Before(done):
		bad("expires", get("expires"), "is before the completion date")
		return
	}
	if lv := get("level"); lv != "" {
		ld, err := credential.ParseSubjectLevel(subject, lv)
		if err != nil {
			bad("level", lv, err.Error())
			return
		}
		level = ld.Code
	}
	k := staffKey(staff)
	l.staff[k] = staff
	if l.training[k] == nil {
		l.training[k] = map[credential.Subject]credential.Training{}
	}
	t := credential.Training{Subject: subject, Completed: done, Expires: exp, Level: level}
	if prev, ok := l.training[k][subject]; !ok || later(t, prev) {
		l.training[k][subject] = t
	}
}

// later reports whether t replaces prev: the latest completion wins; on the
// same day, the higher level.
func later(t, prev credential.Training) bool {
	if !t.Completed.Time().Equal(prev.Completed.Time()) {
		return t.Completed.Time().After(prev.Completed.Time())
	}
	return t.LevelRank() > prev.LevelRank()
}

// course maps a course name to a subject and level: the map's "courses"
// first, then the national names. Subject 0 with ok means "ignored".
func (m *Map) course(name string) (credential.Subject, string, bool) {
	if m != nil {
		if c, ok := m.Courses[courseKey(name)]; ok {
			if c.Ignore {
				return 0, "", true
			}
			return c.subject, c.Level, true
		}
	}
	return RecogniseCourse(name)
}

// learningDateLayouts are the date spellings of learning exports.
var learningDateLayouts = []string{
	"2006-01-02", "02/01/2006", "2/1/2006", "02-Jan-2006", "2-Jan-2006", "02 Jan 2006", "2 Jan 2006",
	"2006/01/02 15:04:05", "2006/01/02", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02T15:04:05Z07:00",
	"02/01/2006 15:04:05", "02/01/2006 15:04", "02-Jan-2006 15:04:05",
}

// parseLearningDate reads a date of a learning export; "" is the zero
// Date, and "No Expiry" is never = true.
func parseLearningDate(s string) (d credential.Date, never bool, err error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "":
		return credential.Date{}, false, nil
	case "no expiry", "no expiry date", "does not expire", "never":
		return credential.Date{}, true, nil
	}
	for _, layout := range learningDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return credential.DateOf(t), false, nil
		}
	}
	return credential.Date{}, false, fmt.Errorf("%q is not a date", s)
}

var (
	periodRE = regexp.MustCompile(`^\d+\s*(years?|yrs?|months?)$`)
	levelRE  = regexp.MustCompile(`^(level|tier|lvl)\s*(\d)\b`)
)

// nationalNames are the subjects of the national Core Skills Training
// Framework as their course names spell them, matched against the title
// with case, punctuation and "&"/"and" ignored; the first match wins.
var nationalNames = []struct {
	words   []string
	subject string
}{
	{[]string{"equality"}, "equality_diversity"},
	{[]string{"health", "safety"}, "health_safety"},
	{[]string{"conflict resolution"}, "conflict_resolution"},
	{[]string{"fire safety"}, "fire_safety"},
	{[]string{"infection prevention"}, "infection_prevention"},
	{[]string{"moving and handling"}, "moving_handling"},
	{[]string{"manual handling"}, "moving_handling"},
	{[]string{"safeguarding adults"}, "safeguarding_adults"},
	{[]string{"safeguarding children"}, "safeguarding_children"},
	{[]string{"oliver mcgowan"}, "learning_disability_autism"},
	{[]string{"learning disability and autism"}, "learning_disability_autism"},
	{[]string{"radicalisation"}, "preventing_radicalisation"},
	{[]string{"prevent"}, "preventing_radicalisation"},
	{[]string{"resuscitation"}, "resuscitation"},
	{[]string{"life support"}, "resuscitation"},
	{[]string{"information governance"}, "information_governance"},
	{[]string{"data security"}, "information_governance"},
}

// RecogniseCourse reads a national competence name as learning systems
// spell it ("NHS|CSTF|Safeguarding Children - Level 3 - 3 Years|",
// "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support|1 Years|")
// into a registry subject and level code. The refresher period in the name
// is not used: the row's own expiry, or the registry's period, is. Only
// names marked as the national framework (a "CSTF" part), and the Oliver
// McGowan and Prevent programmes, are recognised: a local course called
// "Fire Warden" is not fire safety training.
func RecogniseCourse(name string) (credential.Subject, string, bool) {
	national := false
	var parts []string
	for _, seg := range strings.Split(name, "|") {
		seg = strings.TrimSpace(seg)
		switch strings.ToUpper(seg) {
		case "":
			continue
		case "CSTF":
			national = true
			continue
		case "NHS":
			continue
		}
		for _, p := range strings.Split(seg, " - ") {
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	level, title := 0, ""
	for _, p := range parts {
		lp := strings.ToLower(p)
		switch {
		case periodRE.MatchString(lp):
		case levelRE.MatchString(lp):
			n, _ := strconv.Atoi(levelRE.FindStringSubmatch(lp)[2])
			if level == 0 {
				level = n
			}
		default:
			title += " " + lp
		}
	}
	title = simplifyTitle(title)
	if !national && !containsAll(title, []string{"oliver mcgowan"}) && !containsAll(title, []string{"prevent"}) && !containsAll(title, []string{"radicalisation"}) {
		return 0, "", false
	}
	for _, n := range nationalNames {
		if !containsAll(title, n.words) {
			continue
		}
		s, err := credential.ParseSubject(n.subject)
		if err != nil {
			return 0, "", false
		}
		if level == 0 || s.LevelName() == "" {
			return s, "", true
		}
		l, err := credential.ParseSubjectLevel(s, strconv.Itoa(level))
		if err != nil {
			return 0, "", false // a level the registry does not have: the map must say
		}
		return s, l.Code, true
	}
	return 0, "", false
}

// simplifyTitle lower-cases, turns "&" into "and" and punctuation into spaces.
func simplifyTitle(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "&", " and ")
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return ' '
	}, s)
	return " " + strings.Join(strings.Fields(s), " ") + " "
}

func containsAll(title string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(title, " "+w+" ") {
			return false
		}
	}
	return true
}

// WithLearning adds the learning of l to the records of src: the latest
// completion of each subject, from either file, wins. A person whose
// learning rows had errors fails with them. src is closed with the result.
func WithLearning(src Source, l *Learning) Source { return &learningSource{src, l} }

type learningSource struct {
	Source
	l *Learning
}

func (s *learningSource) Close() error {
	if c, ok := s.Source.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (s *learningSource) Next() (*Record, []*RowError, error) {
	rec, errs, err := s.Source.Next()
	if rec == nil {
		return rec, errs, err
	}
	k := staffKey(rec.Person.StaffNumber)
	s.l.seen[k] = true
	if bad := s.l.errs[k]; len(bad) > 0 {
		for _, e := range bad {
			errs = append(errs, &RowError{Row: rec.Row, Column: "training", Value: e.Value,
				Reason: fmt.Sprintf("learning file row %d, column %q: %s", e.Row, e.Column, e.Reason)})
		}
		return nil, errs, err
	}
	if got := s.l.training[k]; len(got) > 0 {
		merged := map[credential.Subject]credential.Training{}
		for _, t := range rec.Training {
			merged[t.Subject] = t
		}
		for sub, t := range got {
			if prev, ok := merged[sub]; !ok || later(t, prev) {
				merged[sub] = t
			}
		}
		rec.Training = rec.Training[:0]
		for _, sub := range credential.Subjects {
			if t, ok := merged[sub]; ok {
				rec.Training = append(rec.Training, t)
			}
		}
	}
	return rec, errs, err
}

// NotInPeople lists the staff numbers of the learning file that no record
// read through WithLearning had, sorted.
func (l *Learning) NotInPeople() []string {
	var out []string
	for k, s := range l.staff {
		if !l.seen[k] {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// UnrecognisedCourses lists the course names that were not recognised,
// most rows first, each once with its count.
func (l *Learning) UnrecognisedCourses() []NameCount { return sortedCounts(l.Unrecognised) }

// Orphans are the learning rows without a staff number.
func (l *Learning) Orphans() []*RowError { return l.orphan }
