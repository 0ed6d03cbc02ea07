package trustsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"passport/trust"
)

// ErrPublishRollback: the directory already publishes a newer bundle, or
// another bundle under the same version.
var ErrPublishRollback = errors.New("the directory already publishes a newer or different bundle")

// Publish writes bundle into dir under the name file, then dir/index.json
// describing it. The bundle is written first and the index replaced last,
// each through a temporary file renamed into place, so a reader never sees
// an index naming a missing or half-written bundle. Earlier bundles are
// kept. Publishing the same bytes again changes nothing; an existing file of
// that name with other bytes, or an index already at a newer version (or at
// the same version with another bundle), is refused.
func Publish(dir string, bundle []byte, file string) (*Index, error) {
	idx, err := NewIndex(bundle, file)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	indexPath := filepath.Join(dir, IndexFileName)
	if data, err := trust.ReadFileLimited(indexPath, MaxIndexBytes); err == nil {
		old, err := ParseIndex(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: move it away to publish afresh", indexPath, err)
		}
		switch {
		case old.Version > idx.Version:
			return nil, fmt.Errorf("%w: %s publishes version %d, newer than this bundle's %d", ErrPublishRollback, indexPath, old.Version, idx.Version)
		case old.Version == idx.Version && old.SHA256 != idx.SHA256:
			return nil, fmt.Errorf("%w: %s already publishes another bundle as version %d", ErrPublishRollback, indexPath, old.Version)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	bundlePath := filepath.Join(dir, file)
	switch have, err := os.ReadFile(bundlePath); {
	case err == nil && !bytes.Equal(have, bundle):
		return nil, fmt.Errorf("%s exists with other content: a published bundle is never overwritten; choose another name", bundlePath)
	case err == nil:
	case errors.Is(err, os.ErrNotExist):
		if err := writeReplace(bundlePath, bundle); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	data, err := idx.Marshal()
	if err != nil {
		return nil, err
	}
	return idx, writeReplace(indexPath, data)
}

// writeReplace writes data to a temporary file beside path, syncs it and
// renames it over path.
func writeReplace(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".publish-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Chmod(0o644), f.Sync(), f.Close()); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// PublishedBundle reads the bundle that dir's index names, checked against
// the index (size and SHA-256): what `passport authority timestamp` signs a
// statement for.
func PublishedBundle(dir string) ([]byte, *Index, error) {
	ctx := context.Background()
	data, err := readLimited(ctx, filepath.Join(dir, IndexFileName), MaxIndexBytes)
	if err != nil {
		return nil, nil, err
	}
	idx, err := ParseIndex(data)
	if err != nil {
		return nil, nil, err
	}
	bundle, err := readLimited(ctx, filepath.Join(dir, idx.File), idx.Size)
	if err != nil {
		return nil, nil, err
	}
	if err := idx.checkBundle(bundle); err != nil {
		return nil, nil, err
	}
	return bundle, idx, nil
}

// PublishStatement writes a signed freshness statement into dir as
// StatementFileName, through a temporary file renamed into place, so a
// reader sees the old statement or the new one, never half of one.
func PublishStatement(dir string, statement []byte) (string, error) {
	if _, err := trust.ParseSignedStatement(statement); err != nil {
		return "", err
	}
	path := filepath.Join(dir, StatementFileName)
	return path, writeReplace(path, statement)
}
