package trustsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"passport/trust"
)

// Timeouts of a fetch. The overall bound of one sync is Options.Timeout.
const (
	dialTimeout   = 10 * time.Second
	headerTimeout = 30 * time.Second
	maxRedirects  = 5
)

// Errors of fetching, as opposed to importing (those are sitedb's).
var (
	// ErrUnreachable: the source could not be read (no network, no share,
	// a server error). The list in force is unchanged.
	ErrUnreachable = errors.New("the trust-list source cannot be reached")
	// ErrTooLarge: a file is over its size cap.
	ErrTooLarge = errors.New("a fetched file is over its size limit")
	// ErrMismatch: the bundle fetched is not the one the index describes
	// (altered in transit or on the server, or published half-way).
	ErrMismatch = errors.New("the bundle does not match its index")
	// ErrNotRegular: a folder source holds something other than a plain
	// file (a FIFO, a device, a directory) where a file was expected.
	ErrNotRegular = errors.New("not a regular file")
)

// validators are an index's HTTP cache validators from the last sync.
type validators struct{ etag, lastModified string }

// fetched is a read index: its bytes, or notModified.
type fetched struct {
	data        []byte
	notModified bool
	validators  validators
}

// source is where published bundles are read from.
type source interface {
	fetchIndex(ctx context.Context, v validators) (fetched, error)
	// fetchBundle reads the bundle file, which the index says is size
	// bytes: no more is read, and the buffer is sized for it up front, so
	// a 64 MB bundle costs 64 MB, not the doublings of a growing buffer.
	fetchBundle(ctx context.Context, file string, size int64) ([]byte, error)
	String() string
}

// parseSource reads --from: an http(s) URL (of the index, or of the
// directory holding index.json), or a directory or index file path.
func parseSource(from string, client *http.Client) (source, error) {
	if from == "" {
		return nil, errors.New("no source given: give a URL (https://…/trust/) or a directory")
	}
	if lower := strings.ToLower(from); strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		u, err := url.Parse(from)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("%q is not a usable URL: %v", from, err)
		}
		u.Fragment = ""
		if !strings.HasSuffix(strings.ToLower(u.Path), ".json") {
			if !strings.HasSuffix(u.Path, "/") {
				u.Path += "/"
			}
			u.Path += IndexFileName
			u.RawPath = ""
		}
		return &httpSource{index: u, client: client}, nil
	}
	if strings.Contains(from, "://") {
		return nil, fmt.Errorf("%q: only http://, https:// or a directory path are sources", from)
	}
	fi, err := os.Stat(from)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if fi.IsDir() {
		return &dirSource{dir: from, index: filepath.Join(from, IndexFileName)}, nil
	}
	return &dirSource{dir: filepath.Dir(from), index: from}, nil
}

// NewHTTPClient returns the bounded client syncs use by default: connect,
// TLS and response-header timeouts, the environment's proxy, at most five
// redirects, only to http or https and only to the host first asked
// (RedirectPolicy with no other host allowed).
func NewHTTPClient() *http.Client { return newHTTPClient(nil) }

func newHTTPClient(allowHosts []string) *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: headerTimeout,
		MaxIdleConns:          2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, CheckRedirect: RedirectPolicy(allowHosts)}
}

// RedirectPolicy follows at most five redirects, only to http or https, and
// only to the host of the first request or one of allowHosts (host names,
// compared without case or port). A source that can redirect anywhere could
// make a site fetch from an internal address it chose; an authority that
// moves its files to a CDN names it with --allow-redirect-host.
func RedirectPolicy(allowHosts []string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		if s := req.URL.Scheme; s != "http" && s != "https" {
			return fmt.Errorf("redirect to a %q URL refused: only http and https are followed", clean(s))
		}
		host := req.URL.Hostname()
		if len(via) > 0 && strings.EqualFold(host, via[0].URL.Hostname()) {
			return nil
		}
		for _, h := range allowHosts {
			if strings.EqualFold(host, h) {
				return nil
			}
		}
		return fmt.Errorf("redirect to another host (%s) refused: only %s is read; if the authority moved its files there, allow it with --allow-redirect-host %s",
			clean(host), clean(via[0].URL.Hostname()), clean(host))
	}
}

type httpSource struct {
	index  *url.URL
	client *http.Client
}

func (s *httpSource) String() string { return s.index.Redacted() }

func (s *httpSource) fetchIndex(ctx context.Context, v validators) (fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.index.String(), nil)
	if err != nil {
		return fetched{}, err
	}
	if v.etag != "" {
		req.Header.Set("If-None-Match", v.etag)
	}
	if v.lastModified != "" {
		req.Header.Set("If-Modified-Since", v.lastModified)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fetched{}, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && (v.etag != "" || v.lastModified != "") {
		return fetched{notModified: true, validators: v}, nil
	}
	data, err := readBody(resp, MaxIndexBytes)
	if err != nil {
		return fetched{}, err
	}
	return fetched{data: data, validators: validators{resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")}}, nil
}

func (s *httpSource) fetchBundle(ctx context.Context, file string, size int64) ([]byte, error) {
	// checkFileName allowed no '/', ':', '?', '#' or '%': the name stays
	// one path segment beside the index.
	u := s.index.ResolveReference(&url.URL{Path: file})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	return readBody(resp, min(size, trust.MaxBundleBytes))
}

// readBody reads a 200 response of at most limit bytes: a Content-Length
// over it is refused before reading, a longer body when it passes limit.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if resp.StatusCode != http.StatusOK {
		// The reason phrase is the server's own text: it is shown cleaned
		// (a hostile one may carry terminal escapes) and cut short.
		reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
		return nil, fmt.Errorf("%w: %s answered %d %.60s", ErrUnreachable, resp.Request.URL.Redacted(), resp.StatusCode, clean(reason))
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %s is %d bytes, over %d", ErrTooLarge, resp.Request.URL.Redacted(), resp.ContentLength, limit)
	}
	data, err := readUpTo(resp.Body, limit)
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrUnreachable, resp.Request.URL.Redacted(), err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, resp.Request.URL.Redacted(), limit)
	}
	return data, nil
}

// readUpTo reads r to its end, or to one byte past limit, into a buffer
// allocated once.
func readUpTo(r io.Reader, limit int64) ([]byte, error) {
	buf := make([]byte, 0, limit+1)
	for int64(len(buf)) <= limit {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

type dirSource struct{ dir, index string }

func (s *dirSource) String() string { return s.index }

func (s *dirSource) fetchIndex(ctx context.Context, _ validators) (fetched, error) {
	data, err := readLimited(ctx, s.index, MaxIndexBytes)
	return fetched{data: data}, err
}

func (s *dirSource) fetchBundle(ctx context.Context, file string, size int64) ([]byte, error) {
	return readLimited(ctx, filepath.Join(s.dir, file), min(size, trust.MaxBundleBytes))
}

// readLimited reads a regular file of at most limit bytes from a folder
// source, giving up when ctx ends. Anything else at that name is refused
// before it is read: a FIFO or a device would block or never end. The read
// runs aside, so a share that stops answering costs the sync its timeout,
// not forever; the stuck read is left to the operating system.
func readLimited(ctx context.Context, path string, limit int64) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		data, err := readFile(path, limit)
		ch <- result{data, err}
	}()
	select {
	case r := <-ch:
		return r.data, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: reading %s: %v", ErrUnreachable, path, context.Cause(ctx))
	}
}

// readFile is readRegular; tests replace it with a read that never returns.
var readFile = readRegular

func readRegular(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file (%v): a published folder holds plain files only", ErrNotRegular, path, fi.Mode().Type())
	}
	// O_NONBLOCK: should the name become a FIFO after the check, opening
	// it does not wait for a writer; the check on the open file refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file (%v): a published folder holds plain files only", ErrNotRegular, path, fi.Mode().Type())
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%w: %s is %d bytes, over %d", ErrTooLarge, path, fi.Size(), limit)
	}
	data, err := readUpTo(f, min(fi.Size(), limit))
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrUnreachable, path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, path, limit)
	}
	return data, nil
}
