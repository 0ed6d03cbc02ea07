package trust

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"
)

// DCCType is one type of EU DCC entry, named by its key in the health
// certificate: "v" (vaccination), "t" (test result), "r" (recovery).
type DCCType string

// The three DCC types, in the order DCCTypes are kept.
const (
	DCCVaccination DCCType = "v"
	DCCTest        DCCType = "t"
	DCCRecovery    DCCType = "r"
)

// dccTypeOrder is the one order a list of DCC types is written in.
var dccTypeOrder = []DCCType{DCCVaccination, DCCTest, DCCRecovery}

// Name is the type as people read it ("vaccination", "test", "recovery").
func (t DCCType) Name() string {
	switch t {
	case DCCVaccination:
		return "vaccination"
	case DCCTest:
		return "test"
	case DCCRecovery:
		return "recovery"
	}
	return fmt.Sprintf("%q", string(t))
}

// Extended key usage OIDs of a DCC document signer certificate (the EU's
// "Electronic Health Certificate Specification", section on the document
// signer certificate): each restricts the certificate to one DCC type.
// The second set, with an extra ".0" after the enterprise arc, is the
// spelling of the specification's first versions; national signers issued
// certificates with it (most of the EU's test data uses it), so it is
// read with the same meaning.
var dccTypeOIDs = map[string]DCCType{
	"1.3.6.1.4.1.1847.2021.1.1":   DCCTest,
	"1.3.6.1.4.1.1847.2021.1.2":   DCCVaccination,
	"1.3.6.1.4.1.1847.2021.1.3":   DCCRecovery,
	"1.3.6.1.4.1.0.1847.2021.1.1": DCCTest,
	"1.3.6.1.4.1.0.1847.2021.1.2": DCCVaccination,
	"1.3.6.1.4.1.0.1847.2021.1.3": DCCRecovery,
}

// DCCTypesOf is what a DCC document signer certificate may sign, by the
// EU rule: the types whose key-usage OID its extended key usage lists,
// or nil (every type) when it lists none of them. Other usages (an ICAO
// document-signer code, clientAuth) neither allow nor forbid a type.
func DCCTypesOf(cert *x509.Certificate) []DCCType {
	if cert == nil {
		return nil
	}
	allowed := map[DCCType]bool{}
	for _, oid := range cert.UnknownExtKeyUsage {
		if t, ok := dccTypeOIDs[asn1.ObjectIdentifier(oid).String()]; ok {
			allowed[t] = true
		}
	}
	if len(allowed) == len(dccTypeOrder) {
		return nil
	}
	var out []DCCType
	for _, t := range dccTypeOrder {
		if allowed[t] {
			out = append(out, t)
		}
	}
	return out
}

// MaySignDCC reports whether k may sign DCC entries of type t: a key
// whose DCCTypes is empty may sign every type.
func (k *TrustedKey) MaySignDCC(t DCCType) bool {
	if len(k.DCCTypes) == 0 {
		return true
	}
	for _, a := range k.DCCTypes {
		if a == t {
			return true
		}
	}
	return false
}

// FormatDCCTypes shows a key's DCC types as people read them:
// "vaccination and test", or "every type" for an empty list.
func FormatDCCTypes(types []DCCType) string {
	if len(types) == 0 {
		return "every type (vaccination, test, recovery)"
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.Name()
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// JoinDCCTypes writes types as stored: "v,t" (empty for every type).
func JoinDCCTypes(types []DCCType) string {
	s := make([]string, len(types))
	for i, t := range types {
		s[i] = string(t)
	}
	return strings.Join(s, ",")
}

// ParseDCCTypes reads what JoinDCCTypes writes, checking it with
// CheckDCCTypes.
func ParseDCCTypes(s string) ([]DCCType, error) {
	if s == "" {
		return nil, nil
	}
	var out []DCCType
	for _, p := range strings.Split(s, ",") {
		out = append(out, DCCType(p))
	}
	return out, CheckDCCTypes(out)
}

// CheckDCCTypes reports whether types is a list DCCTypes may hold: known
// types, each once, in the order v, t, r, and so one spelling for each
// set.
func CheckDCCTypes(types []DCCType) error {
	next := 0
	for _, t := range types {
		i := 0
		for i < len(dccTypeOrder) && dccTypeOrder[i] != t {
			i++
		}
		switch {
		case i == len(dccTypeOrder):
			return fmt.Errorf("DCC type %.20q is not %q (vaccination), %q (test) or %q (recovery)", string(t), DCCVaccination, DCCTest, DCCRecovery)
		case i < next:
			return fmt.Errorf("DCC types %q are not listed once each in the order v, t, r", JoinDCCTypes(types))
		}
		next = i + 1
	}
	return nil
}
