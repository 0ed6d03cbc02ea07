package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"passport/keys"
	"passport/trust"
)

func init() {
	register("authority register", "check an organisation's registration request and add it to the issuers list", authorityRegister)
}

// writeRegistration is the part of 'keys new' that writes the registration
// request beside the new key and says what to do with it.
func writeRegistration(e *env, iss *keys.Issuer, dir, contact string) error {
	path, err := iss.WriteRegistrationRequest(dir, contact, time.Now())
	if err != nil {
		return usageErr("give a plain e-mail address with --contact, e.g. --contact hr.security@example.org", "registration request: %v", err)
	}
	fmt.Fprintf(e.stdout, "request %s (send it to the trust authority; read them this fingerprint to confirm it:\n        %s)\n", path, fingerprint(iss.Cert.Raw))
	return nil
}

// checkContactFlag refuses a --contact that is not a plain e-mail address,
// before any key is made.
func checkContactFlag(contact string) error {
	if err := trust.CheckContact(contact); err != nil {
		return usageErr("give a plain e-mail address, e.g. --contact hr.security@example.org", "--contact: %v", err)
	}
	return nil
}

// fingerprint is the SHA-256 of a certificate in colon-separated groups of
// four hex digits, short enough to read over the phone.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := hex.EncodeToString(sum[:])
	var groups []string
	for i := 0; i < len(h); i += 4 {
		groups = append(groups, h[i:i+4])
	}
	return strings.Join(groups, ":")
}

func authorityRegister(e *env, args []string) error {
	fs := newFlags(e, "authority register", "--issuers CSV|DIR [--new-key] REQUEST",
		"Checks an organisation's registration.req (written by 'passport keys new'): signed by the\n"+
			"key of the certificate inside it (proof of possession), org code and name as in that\n"+
			"certificate, certificate in date. Then adds the organisation to the issuers list that\n"+
			"'authority bundle --issuers' reads: a directory gets CODE-KID.crt (and the request as\n"+
			"CODE-KID.req); a CSV gets a row whose cert is registered/CODE-KID.crt beside it. The next\n"+
			"bundle carries it. A key id already listed is refused, and so is a second key for a listed\n"+
			"org code unless --new-key. The signature proves possession of the key, not identity:\n"+
			"confirm the printed fingerprint with the organisation (by phone) before the next bundle.\n\n"+
			"Example:\n  passport authority register --issuers issuers.csv rxx-registration.req")
	issuers := fs.String("issuers", "", "the issuers CSV or certificate directory (required; a new .csv is created)")
	newKey := fs.Bool("new-key", false, "allow another key for an org code already listed (key rollover, confirmed with the organisation)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *issuers == "" || len(files) != 1 {
		return usageErr("example: passport authority register --issuers issuers.csv registration.req", "give --issuers and exactly one request file")
	}
	data, err := trust.ReadFileLimited(files[0], trust.MaxRegistrationBytes)
	if err != nil {
		return usageErr("give the registration.req file the organisation sent", "%v", err)
	}
	r, err := trust.ParseRegistration(data)
	if err != nil {
		return &cliError{code: exitInvalid, msg: "registration refused, the issuers list is unchanged: " + files[0] + ": " + err.Error(),
			hint: "ask the organisation for the registration.req that 'passport keys new' wrote, sent unaltered"}
	}
	now := time.Now()
	if now.After(r.Certificate.NotAfter) {
		return refusedReg(files[0], "ask the organisation to make a new key with 'passport keys new'", "the certificate expired on %s", r.Certificate.NotAfter.Format("02 Jan 2006"))
	}
	existing, kind, err := readIssuersFor(*issuers)
	if err != nil {
		return err
	}
	if err := checkNewIssuer(existing, r, *newKey); err != nil {
		return refusedReg(files[0], hintFor(err), "%v", err)
	}
	for _, bi := range existing {
		if !strings.EqualFold(bi.OrgCode, r.OrgCode) && sameName(bi.OrgName, r.OrgName) {
			fmt.Fprintf(e.stderr, "passport: warning: %s (%s) has the same name as the listed %s (key id %x): desks show the name, so staff cannot tell the two apart; confirm with both organisations\n",
				r.OrgCode, safe(r.OrgName), bi.OrgCode, bi.KID)
			break
		}
	}
	certPath, err := addIssuer(*issuers, kind, r, data)
	if err != nil {
		return usageErr("check you may write there", "%v", err)
	}
	contact := r.Contact
	if contact == "" {
		contact = "none given"
	}
	fmt.Fprintf(e.stdout, "registered %s (%s) key id %x, valid %s to %s, contact %s\ncert    %s\nfingerprint %s\n"+
		"confirm this fingerprint with the organisation before the next 'authority bundle --issuers %s'\n",
		r.OrgCode, safe(r.OrgName), r.KID, r.Certificate.NotBefore.Format("02 Jan 2006"), r.Certificate.NotAfter.Format("02 Jan 2006"),
		safe(contact), certPath, fingerprint(r.Certificate.Raw), *issuers)
	return nil
}

// sameName reports whether two organisation names read the same to a
// person: equal ignoring case and runs of spaces.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

func refusedReg(file, hint, format string, a ...any) error {
	return &cliError{code: exitInvalid, msg: "registration refused, the issuers list is unchanged: " + file + ": " + fmt.Sprintf(format, a...), hint: hint}
}

var (
	errDuplicateKID = errors.New("already registered")
	errOrgListed    = errors.New("org code already listed with another key")
	errSameKey      = errors.New("public key already listed")
)

func hintFor(err error) string {
	switch {
	case errors.Is(err, errDuplicateKID):
		return "nothing to do: the next bundle already carries it"
	case errors.Is(err, errOrgListed):
		return "if the organisation confirms this is its new key, run again with --new-key; list the old key's valid_until in the CSV"
	}
	return "a key is listed once; ask the organisation which certificate is current"
}

// issuersKind is how the issuers list is kept.
type issuersKind int

const (
	issuersDir issuersKind = iota
	issuersCSV
	issuersNewCSV
)

func readIssuersFor(path string) ([]trust.BundleIssuer, issuersKind, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && strings.EqualFold(filepath.Ext(path), ".csv"):
		return nil, issuersNewCSV, nil
	case err != nil:
		return nil, 0, usageErr("give an existing certificate directory, or a .csv file (created if missing)", "--issuers: %v", err)
	}
	kind := issuersCSV
	if fi.IsDir() {
		kind = issuersDir
		if n, _ := filepath.Glob(filepath.Join(path, "*")); len(n) == 0 {
			return nil, kind, nil // a new, empty directory
		}
	}
	list, err := trust.ReadIssuers(path)
	if err != nil {
		return nil, 0, usageErr("fix the issuers list first: 'authority bundle' reads the same file", "--issuers %s: %v", path, err)
	}
	return list, kind, nil
}

// checkNewIssuer refuses a key id or public key already listed, and a
// second key for a listed org code unless allowed.
func checkNewIssuer(list []trust.BundleIssuer, r *trust.Registration, allowNewKey bool) error {
	for _, bi := range list {
		switch {
		case bytes.Equal(bi.KID, r.KID):
			return fmt.Errorf("%w: key id %x is listed for %s (%s)", errDuplicateKID, r.KID, bi.OrgCode, safe(bi.OrgName))
		case bytes.Equal(bi.PublicKey, r.Certificate.RawSubjectPublicKeyInfo):
			return fmt.Errorf("%w: the certificate's public key is listed for %s under key id %x", errSameKey, bi.OrgCode, bi.KID)
		case strings.EqualFold(bi.OrgCode, r.OrgCode) && !allowNewKey:
			return fmt.Errorf("%w: %s (%s) is listed with key id %x", errOrgListed, bi.OrgCode, safe(bi.OrgName), bi.KID)
		}
	}
	return nil
}

// addIssuer writes the certificate (and the request, for the records) and,
// for a CSV, appends its row; then reads the list back as 'authority bundle'
// will, and undoes everything if that fails.
func addIssuer(path string, kind issuersKind, r *trust.Registration, req []byte) (string, error) {
	base := fmt.Sprintf("%s-%x", r.OrgCode, r.KID)
	certDir, rel := path, base+".crt"
	if kind != issuersDir {
		certDir, rel = filepath.Join(filepath.Dir(path), "registered"), "registered/"+base+".crt"
	}
	if err := os.MkdirAll(certDir, 0o755); err != nil {
		return "", err
	}
	certPath := filepath.Join(certDir, base+".crt")
	reqPath := filepath.Join(certDir, base+".req")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate.Raw})
	var written []string
	undo := func(err error) (string, error) {
		for _, p := range written {
			os.Remove(p)
		}
		return "", err
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{certPath, certPEM}, {reqPath, req}} {
		if err := writeExclusive(f.path, f.data); err != nil {
			return undo(err)
		}
		written = append(written, f.path)
	}
	if kind != issuersDir {
		restore, err := appendIssuerRow(path, kind == issuersNewCSV, rel, r)
		if err != nil {
			return undo(err)
		}
		if _, err := trust.ReadIssuers(path); err != nil {
			restore()
			return undo(fmt.Errorf("the issuers list would not read back (%v): left as it was", err))
		}
	} else if _, err := trust.ReadIssuers(path); err != nil {
		return undo(fmt.Errorf("the issuers directory would not read back (%v): left as it was", err))
	}
	return certPath, nil
}

func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// appendIssuerRow appends the new row to an issuers CSV, in the column
// order of its header (a new file gets org_code,org_name,cert,status,
// contact), with trust.WriteIssuersCSVRow so it reads back exactly as
// written. restore puts the file back as it was.
func appendIssuerRow(path string, create bool, certRel string, r *trust.Registration) (restore func(), err error) {
	var old []byte
	header := []string{"org_code", "org_name", "cert", "status", "contact"}
	if !create {
		if old, err = trust.ReadFileLimited(path, trust.MaxIssuersCSVSize); err != nil {
			return nil, err
		}
		cr := csv.NewReader(bytes.NewReader(old))
		cr.FieldsPerRecord = -1
		if header, err = cr.Read(); err != nil {
			return nil, fmt.Errorf("%s: reading the header: %v", path, err)
		}
	}
	var buf bytes.Buffer
	if create {
		if err := trust.WriteIssuersCSVRow(&buf, header); err != nil {
			return nil, err
		}
	} else if len(old) > 0 && old[len(old)-1] != '\n' {
		buf.WriteByte('\n')
	}
	row := make([]string, len(header))
	for i, h := range header {
		switch strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(h, "\ufeff")), "_")) {
		case "org_code":
			row[i] = r.OrgCode
		case "org_name":
			row[i] = r.OrgName
		case "cert":
			row[i] = certRel
		case "status":
			row[i] = "active"
		case "contact":
			row[i] = r.Contact
		}
	}
	if err := trust.WriteIssuersCSVRow(&buf, row); err != nil {
		return nil, err
	}
	restore = func() {
		if create {
			os.Remove(path)
		} else {
			os.WriteFile(path, old, 0o644)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	_, werr := f.Write(buf.Bytes())
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		restore()
		return nil, err
	}
	return restore, nil
}
