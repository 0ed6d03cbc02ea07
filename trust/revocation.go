package trust

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"passport/credential"
)

// Revocation says why and from when a credential id is revoked. A trust
// list of the first release gives neither: Reason 0 and a zero From, a
// revocation that applies from the start.
type Revocation struct {
	// Reason is a revocation reason of the registry
	// (credential.RevocationReason: 1 superseded, 2 left_employment, 3
	// lost, 4 withdrawn_for_cause), 0 when none was given. A number this
	// version does not know still revokes.
	Reason int
	// From is when the revocation applies; zero = from the start. For a
	// superseded passport it is when the newer one was issued.
	From time.Time
}

// AppliesAt reports whether the revocation is in force at now: a
// credential is revoked only from From on.
func (r Revocation) AppliesAt(now time.Time) bool { return r.From.IsZero() || !now.Before(r.From) }

// ReasonCode is the reason's registry code ("superseded"), "reason_N" for
// a number this version does not know, or "" when none was given.
func (r Revocation) ReasonCode() string {
	if r.Reason == 0 {
		return ""
	}
	if d, ok := credential.RevocationReason(r.Reason); ok {
		return d.Code
	}
	return fmt.Sprintf("reason_%d", r.Reason)
}

// RevokedEntry is a revoked credential id with its reason and start, as a
// bundle carries it (key 6) and `authority bundle --revoked` reads it.
type RevokedEntry struct {
	ID []byte
	Revocation
}

// ReadRevokedList reads a revoked-id list: one entry per line, blank lines
// and lines starting with '#' ignored. An entry is the id alone (the
// first release's format), or the id, a revocation reason code and, if
// wanted, the time it applies from (RFC 3339 or YYYY-MM-DD, the start of
// that day UTC), separated by commas:
//
//	0f1e2d3c4b5a69788796a5b4c3d2e1f0
//	5d6c7b8a99a8b7c6d5e4f30201102f3e,superseded,2027-03-03T10:15:00Z
//	URN:UVCI:01:DE:187/37512422923,withdrawn_for_cause
//
// An id is 32 hex digits (a passport credential id, as verify prints it)
// or an EU DCC certificate identifier (printable ASCII without spaces or
// commas). Ids without a reason or time come back in plain, the others
// in detailed.
func ReadRevokedList(r io.Reader) (plain [][]byte, detailed []RevokedEntry, err error) {
	sc := bufio.NewScanner(io.LimitReader(r, MaxRevokedFileSize+1))
	sc.Buffer(make([]byte, 4096), 4096)
	read := 0
	for n := 1; sc.Scan(); n++ {
		read += len(sc.Bytes()) + 1
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseRevokedLine(line)
		if err != nil {
			return nil, nil, fmt.Errorf("revoked list line %d: %v", n, err)
		}
		if e.Reason == 0 && e.From.IsZero() {
			plain = append(plain, e.ID)
		} else {
			detailed = append(detailed, e)
		}
		if len(plain)+len(detailed) > MaxBundleRevoked {
			return nil, nil, fmt.Errorf("revoked list has more than %d ids, the most a bundle may list", MaxBundleRevoked)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("revoked list: %v (lines are at most 4096 characters)", err)
	}
	if read > MaxRevokedFileSize {
		return nil, nil, fmt.Errorf("revoked list is over %d bytes", MaxRevokedFileSize)
	}
	return plain, detailed, nil
}

func parseRevokedLine(line string) (RevokedEntry, error) {
	cols := strings.Split(line, ",")
	if len(cols) > 3 {
		return RevokedEntry{}, fmt.Errorf("%d columns: give id[,reason[,from]]", len(cols))
	}
	id, err := ParseRevokedID(strings.TrimSpace(cols[0]))
	if err != nil {
		return RevokedEntry{}, err
	}
	e := RevokedEntry{ID: id}
	if len(cols) > 1 && strings.TrimSpace(cols[1]) != "" {
		d, err := credential.ParseRevocationReason(cols[1])
		if err != nil {
			return RevokedEntry{}, err
		}
		e.Reason = d.ID
	}
	if len(cols) > 2 && strings.TrimSpace(cols[2]) != "" {
		if e.From, err = ParseBundleTime(strings.TrimSpace(cols[2]), false); err != nil {
			return RevokedEntry{}, fmt.Errorf("from: %v", err)
		}
	}
	return e, nil
}
