package trust

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Limits on the authority's input files (read on the authority's own
// machine, but still bounded so a wrong file fails fast).
const (
	// MaxIssuersCSVSize caps an issuers CSV: MaxBundleIssuers rows of about
	// 200 bytes each is 10 MB.
	MaxIssuersCSVSize = 16 << 20
	// MaxRevokedFileSize caps a revoked-id list: MaxBundleRevoked lines of
	// at most MaxRevokedIDLen characters.
	MaxRevokedFileSize = MaxBundleRevoked * (MaxRevokedIDLen + 64) // id, reason code and time
)

// IssuersCSVColumns are the columns ReadIssuersCSV knows. The first line
// names the columns (any order, case- and space-insensitive); "cert", or
// both "public_key" and "kid", are required.
var IssuersCSVColumns = []string{"org_code", "org_name", "cert", "public_key", "kid",
	"valid_from", "valid_until", "status", "revoked_from", "kind", "country", "contact"}

// ReadIssuers reads issuer entries from path: a directory of PEM/DER
// certificates (ReadIssuersDir) or an issuers CSV file (ReadIssuersCSV).
func ReadIssuers(path string) ([]BundleIssuer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return ReadIssuersDir(path)
	}
	data, err := ReadFileLimited(path, MaxIssuersCSVSize)
	if err != nil {
		return nil, err
	}
	return ReadIssuersCSV(bytes.NewReader(data), filepath.Dir(path))
}

// certExts are the file name extensions ReadIssuersDir reads.
var certExts = map[string]bool{".pem": true, ".crt": true, ".cer": true, ".der": true}

// ReadIssuersDir makes one active entry per certificate in the .pem, .crt,
// .cer and .der files of dir (IssuerFromCertificate), in file name order.
// Other files are ignored; a directory without certificates is an error.
func ReadIssuersDir(dir string) ([]BundleIssuer, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && certExts[strings.ToLower(filepath.Ext(e.Name()))] {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []BundleIssuer
	for _, n := range names {
		p := filepath.Join(dir, n)
		data, err := ReadFileLimited(p, MaxCertificateFileSize)
		if err != nil {
			return nil, err
		}
		certs, err := ParseCertificates(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, c := range certs {
			bi, err := IssuerFromCertificate(c)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			out = append(out, bi)
			if len(out) > MaxBundleIssuers {
				return nil, fmt.Errorf("%s holds more than %d certificates, the most a bundle may list", dir, MaxBundleIssuers)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no certificate files (.pem, .crt, .cer, .der)", dir)
	}
	return out, nil
}

// ReadIssuersCSV reads issuer entries from a CSV whose first line names
// the columns (IssuersCSVColumns):
//
//	org_code, org_name       override what the certificate says (required without cert)
//	cert                     path of a PEM/DER certificate, relative to baseDir
//	public_key, kid          instead of cert: path of a PEM PUBLIC KEY and its 16-hex-digit kid
//	valid_from, valid_until  YYYY-MM-DD (start / end of that day, UTC) or RFC 3339;
//	                         default: the certificate's window, else unbounded
//	status                   active (default) or revoked
//	revoked_from             compromise date: credentials issued from then on are invalid,
//	                         those issued before stay valid; empty with revoked = all
//	contact                  who desks should call about its passports ("Workforce team,
//	                         0114 000 0000" or an e-mail address); carried in the bundle
//
// The file is data, read with exactly the encoding `authority register`
// writes it with (RFC 4180, csvout.DataWriter): no comment lines, no spreadsheet escaping, every row
// with the header's number of fields. A staff-passport issuer's org code
// must pass ValidateOrgCode, so a cell a spreadsheet escaped ('-DASH) is
// refused rather than signed into a bundle under a code no passport has.
// Errors name the row and column.
func ReadIssuersCSV(r io.Reader, baseDir string) ([]BundleIssuer, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1 // checked below, with a message that says what to do
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("issuers CSV: reading the header line: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(h, "\ufeff")), "_"))
		known := false
		for _, k := range IssuersCSVColumns {
			known = known || k == name
		}
		if !known {
			return nil, fmt.Errorf("issuers CSV: unknown column %q: the columns are %s", h, strings.Join(IssuersCSVColumns, ", "))
		}
		if _, dup := col[name]; dup {
			return nil, fmt.Errorf("issuers CSV: column %q appears twice", name)
		}
		col[name] = i
	}
	_, hasCert := col["cert"]
	_, hasPub := col["public_key"]
	if !hasCert && !hasPub {
		return nil, errors.New("issuers CSV: no cert or public_key column: each row needs a certificate (or a public key and kid)")
	}
	var out []BundleIssuer
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("issuers CSV: %v", err)
		}
		if len(rec) != len(header) {
			if strings.HasPrefix(strings.TrimSpace(rec[0]), "#") {
				return nil, fmt.Errorf("issuers CSV row %d is a comment line (%.40q): the file holds data only; delete the line (each registration is kept in registered/CODE-KID.req)", row, rec[0])
			}
			return nil, fmt.Errorf("issuers CSV row %d has %d fields and the header %d: quote a field that holds a comma", row, len(rec), len(header))
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bi, err := issuerRow(get, baseDir)
		if err != nil {
			return nil, fmt.Errorf("issuers CSV row %d, %v", row, err)
		}
		out = append(out, bi)
		if len(out) > MaxBundleIssuers {
			return nil, fmt.Errorf("issuers CSV has more than %d rows, the most a bundle may list", MaxBundleIssuers)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("issuers CSV has a header but no rows")
	}
	return out, nil
}

func issuerRow(get func(string) string, baseDir string) (BundleIssuer, error) {
	var bi BundleIssuer
	resolve := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(baseDir, p)
	}
	switch certPath, pubPath := get("cert"), get("public_key"); {
	case certPath != "" && pubPath != "":
		return bi, errors.New(`columns "cert" and "public_key" both set: give one`)
	case certPath != "":
		data, err := ReadFileLimited(resolve(certPath), MaxCertificateFileSize)
		if err != nil {
			return bi, fmt.Errorf(`column "cert": %v`, err)
		}
		cert, err := ParseCertificatePEM(data)
		if err != nil {
			return bi, fmt.Errorf(`column "cert": %s: %v`, certPath, err)
		}
		if bi, err = issuerFromCertificate(cert, get("kind") != ""); err != nil {
			return bi, fmt.Errorf(`column "cert": %v`, err)
		}
		if k := get("kid"); k != "" && !strings.EqualFold(k, hex.EncodeToString(bi.KID)) {
			return bi, fmt.Errorf(`column "kid": %s is not the certificate's key id %x`, k, bi.KID)
		}
	case pubPath != "":
		data, err := ReadFileLimited(resolve(pubPath), MaxCertificateFileSize)
		if err != nil {
			return bi, fmt.Errorf(`column "public_key": %v`, err)
		}
		block, _ := pem.Decode(data)
		if block == nil || block.Type != "PUBLIC KEY" {
			return bi, fmt.Errorf(`column "public_key": %s holds no PEM PUBLIC KEY block`, pubPath)
		}
		bi.PublicKey = block.Bytes
		if bi.KID, err = hex.DecodeString(get("kid")); err != nil || len(bi.KID) != KeyIDLen {
			return bi, fmt.Errorf(`column "kid": %q is not %d hex digits (required with public_key)`, get("kid"), 2*KeyIDLen)
		}
	default:
		return bi, errors.New(`column "cert" is empty: give the issuer's certificate file`)
	}
	if v := get("org_code"); v != "" {
		bi.OrgCode = v
	}
	if v := get("org_name"); v != "" {
		bi.OrgName = v
	}
	if bi.OrgName == "" {
		bi.OrgName = bi.OrgCode
	}
	bi.Contact = get("contact")
	var err error
	for _, f := range []struct {
		name  string
		dst   *time.Time
		endOf bool
	}{{"valid_from", &bi.ValidFrom, false}, {"valid_until", &bi.ValidUntil, true}, {"revoked_from", &bi.RevokedFrom, false}} {
		if v := get(f.name); v != "" {
			if *f.dst, err = ParseBundleTime(v, f.endOf); err != nil {
				return bi, fmt.Errorf("column %q: %v", f.name, err)
			}
		}
	}
	switch st := strings.ToLower(get("status")); st {
	case "", "active", "trusted", "valid":
	case "revoked":
		bi.Revoked = true
	default:
		return bi, fmt.Errorf(`column "status": %q is not active or revoked`, st)
	}
	if !bi.Revoked && !bi.RevokedFrom.IsZero() {
		return bi, errors.New(`column "revoked_from" is set but status is not revoked`)
	}
	if v := get("kind"); v != "" {
		if bi.Kind, err = ParseKind(strings.ToLower(v)); err != nil {
			return bi, fmt.Errorf(`column "kind": %v`, err)
		}
		bi.Country = ""
	}
	if v := get("country"); v != "" {
		bi.Country = strings.ToUpper(v)
	}
	if bi.kind() != KindDCC {
		bi.DCCTypes = nil // a certificate's DCC key usage means nothing for a staff key
	}
	if bi.kind() == KindStaff {
		if err := ValidateOrgCode(bi.OrgCode); err != nil {
			hint := ""
			if strings.HasPrefix(bi.OrgCode, "'") {
				hint = " (a leading apostrophe is a spreadsheet's escaping, not part of the code: remove it)"
			}
			return bi, fmt.Errorf(`column "org_code": %v%s`, err, hint)
		}
	}
	if err := bi.validate(); err != nil {
		return bi, err
	}
	return bi, nil
}

// ParseBundleTime reads a date as the authority's files write it:
// YYYY-MM-DD (the start of that day in UTC, or its last second when endOfDay
// is set, so "valid until 2027-01-31" includes that day) or RFC 3339.
func ParseBundleTime(s string, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date: use YYYY-MM-DD or RFC 3339", s)
	}
	if endOfDay {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t, nil
}

// ReadRevokedIDs reads a revoked-id list of ids alone (the first
// release's format; see ReadRevokedList for reasons and times).
func ReadRevokedIDs(r io.Reader) ([][]byte, error) {
	plain, detailed, err := ReadRevokedList(r)
	if err == nil && len(detailed) > 0 {
		err = fmt.Errorf("revoked list: %x has a reason or time: read it with ReadRevokedList", detailed[0].ID)
	}
	return plain, err
}

// ParseRevokedID reads one revoked id as ReadRevokedIDs does.
func ParseRevokedID(s string) ([]byte, error) {
	if len(s) == 32 {
		if id, err := hex.DecodeString(s); err == nil {
			return id, nil
		}
	}
	if len(s) > MaxRevokedIDLen {
		return nil, fmt.Errorf("%.20q… is %d characters, over %d", s, len(s), MaxRevokedIDLen)
	}
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return nil, fmt.Errorf("%q is neither 32 hex digits (a passport credential id) nor a DCC certificate identifier (printable ASCII, no spaces)", s)
		}
	}
	return []byte(s), nil
}
