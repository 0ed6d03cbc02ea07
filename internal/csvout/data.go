package csvout

import (
	"encoding/csv"
	"io"
)

// DataWriter writes CSV that a program reads back exactly: RFC 4180 with
// no formula escaping, so "-DASH" stays "-DASH". It is for files that are
// machine data, such as the trust authority's issuers list, whose cells are
// signed into trust-list bundles: an apostrophe added for a spreadsheet
// would become part of an organisation code. Never use it for an export
// people open in a spreadsheet: use Writer.
type DataWriter struct{ w *csv.Writer }

// NewDataWriter returns a DataWriter on w.
func NewDataWriter(w io.Writer) *DataWriter { return &DataWriter{w: csv.NewWriter(w)} }

// Write writes one record as it is.
func (d *DataWriter) Write(record []string) error { return d.w.Write(record) }

// Flush writes any buffered data and returns the first error of any Write
// or of the flush itself.
func (d *DataWriter) Flush() error {
	d.w.Flush()
	return d.w.Error()
}
