package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/term"

	"passport/keys"
)

func init() {
	register("keys new", "create an issuer signing key (encrypted) and certificate", keysNew)
}

func keysNew(e *env, args []string) error {
	fs := newFlags(e, "keys new", "--org CODE --name NAME --dir DIR",
		"Creates an ECDSA P-256 issuer key, encrypted with a passphrase (age/scrypt), and a\n"+
			"self-signed certificate to hand to receiving sites, and registration.req: the certificate,\n"+
			"org code and name and --contact signed by the new key, for 'passport authority register'.")
	org := fs.String("org", "", "organisation code, e.g. RHQ (required)")
	name := fs.String("name", "", "organisation name as printed on passports (required)")
	dir := fs.String("dir", "", "directory to write issuer.key and issuer.crt into (required)")
	years := fs.Int("years", 5, "years the key may sign passports")
	contact := fs.String("contact", "", "e-mail address for the trust authority, put in registration.req, and kept in DIR/contact.txt\n"+
		"to print on every passport (\"To confirm this passport: ...\") (optional)")
	if err := parseOptions(fs, args, ""); err != nil {
		return err
	}
	if *org == "" || *name == "" || *dir == "" {
		return usageErr("example: passport keys new --org RHQ --name \"Sheffield Teaching Hospitals\" --dir keys/", "--org, --name and --dir are required")
	}
	if err := checkContactFlag(*contact); err != nil {
		return err
	}
	pass, err := passphrase(e, true)
	if err != nil {
		return err
	}
	defer clear(pass) // the passphrase copy does not outlive the command
	iss, err := keys.NewIssuer(*org, *name, time.Now(), time.Duration(*years)*365*24*time.Hour)
	if err != nil {
		return usageErr("", "%v", err)
	}
	iss.Contact = *contact
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return usageErr("", "cannot create %s: %v", *dir, err)
	}
	if err := iss.Save(*dir, pass); err != nil {
		return &cliError{code: exitUsage, msg: err.Error(), hint: "choose an empty --dir; an existing key is never overwritten"}
	}
	fmt.Fprintf(e.stdout, "issuer %s (%s)\nkey id %x\nkey    %s (encrypted)\ncert   %s\n", *org, *name, iss.KID,
		*dir+"/issuer.key", *dir+"/issuer.crt")
	return writeRegistration(e, iss, *dir, *contact)
}

// passphrase reads PASSPORT_PASSPHRASE, or prompts on a terminal. For a
// new key (confirm) it must be keys.MinPassphraseChars long, from either.
func passphrase(e *env, confirm bool) ([]byte, error) {
	if p := e.getenv("PASSPORT_PASSPHRASE"); p != "" {
		if confirm {
			if err := keys.CheckNewPassphrase([]byte(p)); err != nil {
				return nil, usageErr("set PASSPORT_PASSPHRASE to a longer one", "PASSPORT_PASSPHRASE: %v", err)
			}
		}
		return []byte(p), nil
	}
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, usageErr("set PASSPORT_PASSPHRASE, or run in a terminal to be prompted", "no passphrase: PASSPORT_PASSPHRASE is not set and there is no terminal to ask on")
	}
	fmt.Fprint(e.stderr, "Passphrase: ")
	p, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return nil, err
	}
	if confirm {
		fmt.Fprint(e.stderr, "Again: ")
		q, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return nil, err
		}
		if string(p) != string(q) {
			return nil, usageErr("", "the passphrases differ")
		}
	}
	if len(p) == 0 {
		return nil, usageErr("", "the passphrase is empty")
	}
	if confirm {
		if err := keys.CheckNewPassphrase(p); err != nil {
			clear(p)
			return nil, usageErr("run the command again and type a longer one", "%v", err)
		}
	}
	return p, nil
}

// loadIssuer loads the issuer key from dir with a clear error for each way it fails.
func loadIssuer(e *env, dir string) (*keys.Issuer, error) {
	pass, err := passphrase(e, false)
	if err != nil {
		return nil, err
	}
	defer clear(pass)
	iss, err := keys.LoadIssuer(dir, pass)
	if errors.Is(err, keys.ErrWrongPassphrase) {
		return nil, usageErr("check PASSPORT_PASSPHRASE", "wrong passphrase for the key in %s", dir)
	}
	if err != nil {
		return nil, usageErr("--key names the directory that 'passport keys new' wrote", "cannot load the issuer key: %v", err)
	}
	return iss, nil
}
