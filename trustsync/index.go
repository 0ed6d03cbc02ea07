package trustsync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"passport/internal/strictjson"
	"passport/trust"
)

// IndexFileName is the index's name inside a published directory. A source
// given as a directory or a URL not ending in ".json" reads this name in it.
const IndexFileName = "index.json"

// IndexFormat names the index's format and its version.
const IndexFormat = "passport-trust-index/1"

// MaxIndexBytes caps an index file: it is a few hundred bytes; anything
// bigger is not ours and is refused before it is parsed.
const MaxIndexBytes = 64 << 10

// maxFileNameLen caps the bundle file name an index may give.
const maxFileNameLen = 255

// ErrIndex: the index is malformed (not JSON, wrong format, bad fields).
var ErrIndex = errors.New("malformed trust-list index")

// Index describes the newest bundle of a published directory. It is not
// signed: it only says which file to fetch and what its bytes must hash
// to. Trust comes from the bundle's own signature, checked on import.
type Index struct {
	Format  string    `json:"format"`
	Version int64     `json:"version"`
	Issued  time.Time `json:"issued"`
	Expires time.Time `json:"expires"`
	SHA256  string    `json:"sha256"` // 64 lower-case hex digits of the bundle file
	Size    int64     `json:"size"`   // bytes of the bundle file
	File    string    `json:"file"`   // bundle file name, in the index's directory
}

// NewIndex describes bundle, to be published under the name file. It reads
// the bundle's version and dates without checking its signature (the
// publisher made it; sites check the signature when they import).
func NewIndex(bundle []byte, file string) (*Index, error) {
	if err := checkFileName(file); err != nil {
		return nil, err
	}
	sb, err := trust.ParseSignedBundle(bundle)
	if err != nil {
		return nil, err
	}
	b, err := sb.UnverifiedBundle()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(bundle)
	return &Index{Format: IndexFormat, Version: b.Version, Issued: b.Issued.UTC(), Expires: b.Expires.UTC(),
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(bundle)), File: file}, nil
}

// Marshal encodes the index as indented JSON with a final newline.
func (x *Index) Marshal() ([]byte, error) {
	out, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// ParseIndex reads and checks an index: at most MaxIndexBytes, the known
// format, a positive version and size no larger than trust.MaxBundleBytes,
// a SHA-256 in hex, and a plain file name (no directories, so an index can
// only point beside itself).
func ParseIndex(data []byte) (*Index, error) {
	if len(data) > MaxIndexBytes {
		return nil, fmt.Errorf("%w: %d bytes, over the %d-byte limit", ErrIndex, len(data), MaxIndexBytes)
	}
	var x Index
	if err := strictjson.Unmarshal(data, MaxIndexBytes, &x); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIndex, err)
	}
	switch {
	case x.Format != IndexFormat:
		return nil, fmt.Errorf("%w: format %.40q is not %q", ErrIndex, x.Format, IndexFormat)
	case x.Version <= 0:
		return nil, fmt.Errorf("%w: version %d is not positive", ErrIndex, x.Version)
	case x.Size <= 0 || x.Size > trust.MaxBundleBytes:
		return nil, fmt.Errorf("%w: size %d is not between 1 and %d bytes", ErrIndex, x.Size, trust.MaxBundleBytes)
	}
	if b, err := hex.DecodeString(x.SHA256); err != nil || len(b) != sha256.Size || x.SHA256 != strings.ToLower(x.SHA256) {
		return nil, fmt.Errorf("%w: sha256 %.80q is not 64 lower-case hex digits", ErrIndex, x.SHA256)
	}
	if err := checkFileName(x.File); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIndex, err)
	}
	return &x, nil
}

// checkFileName allows a plain file name only: no separators, no "..", no
// control characters, so neither a URL nor a path can leave the directory.
func checkFileName(name string) error {
	if name == "" || name == "." || name == ".." || len(name) > maxFileNameLen {
		return fmt.Errorf("bundle file name %.80q is not a plain file name", name)
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f || r == '/' || r == '\\' || r == ':' || r == '?' || r == '#' || r == '%' {
			return fmt.Errorf("bundle file name %.80q contains %q: give a plain file name such as trust-3.bundle", name, r)
		}
	}
	return nil
}

// checkBundle compares fetched bundle bytes with what the index promised.
func (x *Index) checkBundle(data []byte) error {
	if int64(len(data)) != x.Size {
		return fmt.Errorf("%w: %s is %d bytes, the index says %d", ErrMismatch, x.File, len(data), x.Size)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != x.SHA256 {
		return fmt.Errorf("%w: the SHA-256 of %s is not the one in the index", ErrMismatch, x.File)
	}
	return nil
}
