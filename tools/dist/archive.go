package main

import (
	"archive/tar"
	"archive/zip"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// entries returns files sorted by name with the directories they need, so
// that archives list the same entries in the same order on every build.
func entries(files []file) ([]file, []string, error) {
	sorted := append([]file(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	dirs := map[string]bool{}
	for i, f := range sorted {
		if i > 0 && sorted[i-1].name == f.name {
			return nil, nil, fmt.Errorf("two archive entries named %s", f.name)
		}
		for d := path.Dir(f.name); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	list := make([]string, 0, len(dirs))
	for d := range dirs {
		list = append(list, d)
	}
	sort.Strings(list)
	return sorted, list, nil
}

// writeTarGz writes files under base/ as a gzip'd POSIX tar with fixed
// owner (0:0, no names), modes and times.
func writeTarGz(w io.Writer, base string, files []file, mtime time.Time) error {
	sorted, dirs, err := entries(files)
	if err != nil {
		return err
	}
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	gz.ModTime = mtime
	tw := tar.NewWriter(gz)
	hdr := func(name string, mode int64, size int64, typ byte) *tar.Header {
		return &tar.Header{Name: name, Mode: mode, Size: size, Typeflag: typ, ModTime: mtime, Format: tar.FormatPAX}
	}
	for _, d := range append([]string{""}, dirs...) {
		if err := tw.WriteHeader(hdr(strings.TrimSuffix(base+"/"+d, "/")+"/", 0o755, 0, tar.TypeDir)); err != nil {
			return err
		}
	}
	for _, f := range sorted {
		mode := int64(0o644)
		if f.exec {
			mode = 0o755
		}
		if err := tw.WriteHeader(hdr(base+"/"+f.name, mode, int64(len(f.data)), tar.TypeReg)); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// writeZip writes files under base/ as a zip with fixed times; Windows'
// Explorer opens it without extra tools.
func writeZip(w io.Writer, base string, files []file, mtime time.Time) error {
	sorted, dirs, err := entries(files)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	for _, d := range append([]string{""}, dirs...) {
		h := &zip.FileHeader{Name: strings.TrimSuffix(base+"/"+d, "/") + "/", Modified: mtime}
		h.SetMode(fs.ModeDir | 0o755)
		if _, err := zw.CreateHeader(h); err != nil {
			return err
		}
	}
	for _, f := range sorted {
		h := &zip.FileHeader{Name: base + "/" + f.name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(0o644)
		if f.exec {
			h.SetMode(0o755)
		}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}
