// Package station is the web verifier station behind `passport serve`: a
// local HTTP server with one self-contained page (HTML, CSS and JavaScript
// embedded in the binary) for a reception desk — a text field for USB
// barcode scanners, file upload and drag-and-drop, webcam capture — and a
// JSON API (POST /api/verify) that the page and other local systems use.
//
// The server is a thin HTTP adapter: verification is package verify, the
// site acceptance policy is package policy (every result is a policy.Verdict,
// made by policy.Apply exactly as `passport verify --policy` makes it), and
// the trust list and verification log are package sitedb. This package adds
// only HTTP: limits, decoding slots, the page, and what to log per request.
//
// Import rules: station may import verify (and verify/scan), policy, sitedb,
// trust and credential; never keys or issue (docs/architecture.md).
package station

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"path"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"passport/credential"
	"passport/policy"
	"passport/sitedb"
	"passport/trust"
	"passport/verify"
	"passport/verify/scan"
)

//go:embed web
var webFS embed.FS

// Config sets up a Server.
type Config struct {
	// Store is the site's trust list (a *sitedb.DB in `passport serve`).
	Store trust.TrustStore
	// Log records each verification; nil records nothing.
	Log *sitedb.Log
	// Policy is applied to each valid credential; nil applies none.
	Policy *policy.Policy
	// MaxBodyBytes caps a request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Decoders is how many images or PDFs are decoded at once; 0 means the
	// number of CPUs. Others wait (up to 30 s, then 503).
	Decoders int
	// Now gives the time to verify at; nil means time.Now.
	Now func() time.Time
	// AccessLog receives one line per request (method, path, status,
	// duration, verdicts and credential ids; never credential texts). Nil
	// discards.
	AccessLog *log.Logger
	// Addr is the address the server listens on; when its host is a
	// loopback address, requests whose Host header is not a loopback name
	// are refused (a defence against DNS rebinding from web pages).
	Addr string
}

// Server is the verifier station's HTTP handler.
type Server struct {
	cfg      Config
	verifier *verify.Verifier
	decoders chan struct{}
	mux      *http.ServeMux
	static   fs.FS
	loopback bool
	actions  actions
}

// New checks cfg and makes a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("station: no trust store given")
	}
	switch {
	case cfg.MaxBodyBytes == 0:
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	case cfg.MaxBodyBytes < MaxTextBodyBytes || cfg.MaxBodyBytes > verify.MaxInputBytes:
		return nil, fmt.Errorf("maximum upload size %d bytes is out of range: use %d KB to %d MB", cfg.MaxBodyBytes, MaxTextBodyBytes>>10, verify.MaxInputBytes>>20)
	}
	if cfg.Decoders <= 0 {
		cfg.Decoders = runtime.NumCPU()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccessLog == nil {
		cfg.AccessLog = log.New(io.Discard, "", 0)
	}
	static, err := fs.Sub(webFS, "web")
	if err != nil {
		return nil, err
	}
	verifier, err := verify.NewVerifier(cfg.Store, verify.WithClock(cfg.Now),
		verify.WithLimits(verify.Limits{MaxInputBytes: int(cfg.MaxBodyBytes)}))
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, verifier: verifier, decoders: make(chan struct{}, cfg.Decoders), static: static}
	if host, _, err := net.SplitHostPort(cfg.Addr); err == nil {
		s.loopback = isLoopbackName(host)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.file("index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /app.js", s.file("app.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /app.css", s.file("app.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("POST /api/verify", s.apiVerify)
	mux.HandleFunc("GET /api/status", s.apiStatus)
	mux.HandleFunc("POST /api/action", s.apiAction)
	mux.HandleFunc("/api/verify", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "POST")
		apiError(w, http.StatusMethodNotAllowed, "method", "use POST with an image, a PDF or the passport text as the body")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, "not_found", "there is nothing at this address: the station serves / and /api/verify")
	})
	s.mux = mux
	return s, nil
}

// HTTPServer returns an http.Server for addr with the station's handler and
// its timeouts and header limit set.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          s.cfg.AccessLog,
	}
}

func isLoopbackName(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// statusWriter records the status code for the access log.
type statusWriter struct {
	http.ResponseWriter
	code    int
	verdict string
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP applies the security headers and host checks, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
	h.Set("Cache-Control", "no-store")
	switch {
	case s.loopback && !loopbackHost(r.Host):
		apiError(sw, http.StatusMisdirectedRequest, "bad_host", "this station only answers to 127.0.0.1 or localhost: open http://127.0.0.1 (port as started)")
	case r.Method == http.MethodPost && !sameOrigin(r):
		apiError(sw, http.StatusForbidden, "cross_origin", "requests from other web sites are refused: post from the station page or a local program (without an Origin header)")
	default:
		s.mux.ServeHTTP(sw, r)
	}
	// The path only: query strings and bodies are never logged.
	s.cfg.AccessLog.Printf("%s %s %d %s %s", r.Method, safeLog(r.URL.Path), sw.code, time.Since(start).Round(time.Millisecond), sw.verdict)
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return isLoopbackName(host)
}

// sameOrigin accepts requests without an Origin header (curl, local
// programs) and those whose Origin is this server.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	return o == "http://"+r.Host || o == "https://"+r.Host
}

func safeLog(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == ' ' {
			return '_'
		}
		return r
	}, s)
}

func (s *Server) file(name, ctype string) http.HandlerFunc {
	data, err := fs.ReadFile(s.static, name)
	return func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			apiError(w, http.StatusInternalServerError, "missing_asset", "the page is missing from this build: rebuild passport")
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Write(data)
	}
}

// APIError is the body of every non-200 API answer.
type APIError struct {
	Error APIErrorBody `json:"error"`
}

// APIErrorBody says what went wrong and what to do.
type APIErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(APIError{APIErrorBody{code, msg}})
}

// VerifyResponse is the body of POST /api/verify: one policy.Verdict per credential
// found (each with the same fields as a line of `passport verify --json`),
// and the station's counters.
type VerifyResponse struct {
	Results []policy.Verdict `json:"results"`
	// Actions holds, for each result, the ticket to POST /api/action with
	// when the person at the desk presses Accept or Refuse; "" when the
	// result is not a genuine passport or nothing was logged.
	Actions []string `json:"actions"`
	// Today is the number of verifications logged today (local time),
	// including these; -1 when the station keeps no log.
	Today int `json:"today"`
	// Logged is false when the log could not be written (the results stand).
	Logged bool `json:"logged"`
	// Hint says, for a camera frame with no code in it, what would help:
	// HintHoldStill or HintMoveCloser.
	Hint string `json:"hint,omitempty"`
}

// WarnLogPruneFailed is the status warning shown while the verification
// log's periodic prune fails: rows past the retention period are still kept.
const WarnLogPruneFailed credential.Reason = "log_prune_failed"

// StatusResponse is the body of GET /api/status.
type StatusResponse struct {
	Today     int                 `json:"today"`
	Policy    string              `json:"policy,omitempty"`
	TrustList *verify.TrustListID `json:"trust_list,omitempty"`
	Issuers   int                 `json:"issuers"`
	Warnings  []verify.Reason     `json:"warnings"`
	MaxUpload int64               `json:"max_upload_bytes"`
}

func (s *Server) today() int {
	if s.cfg.Log == nil {
		return -1
	}
	return s.cfg.Log.Today()
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	resp := StatusResponse{Today: s.today(), Warnings: []verify.Reason{}, MaxUpload: s.cfg.MaxBodyBytes}
	if s.cfg.Policy != nil {
		resp.Policy = s.cfg.Policy.Name
	}
	if s.cfg.Log != nil {
		if err := s.cfg.Log.PruneError(); err != nil {
			resp.Warnings = append(resp.Warnings, verify.Reason{Code: WarnLogPruneFailed,
				Message: "old log entries could not be deleted as the retention period promises: " + err.Error()})
		}
	}
	info, err := s.cfg.Store.Info()
	if err != nil {
		resp.Warnings = append(resp.Warnings, verify.Reason{Code: verify.ReasonTrustStore, Message: "the trust list could not be read: " + err.Error()})
	} else {
		resp.Issuers = info.Issuers
		if info.Version != 0 || !info.Expires.IsZero() {
			resp.TrustList = &verify.TrustListID{Version: info.Version}
			if !info.Issued.IsZero() {
				resp.TrustList.Issued = info.Issued.UTC().Format(time.RFC3339)
			}
			if !info.Expires.IsZero() {
				resp.TrustList.Expires = info.Expires.UTC().Format(time.RFC3339)
				if s.cfg.Now().After(info.Expires) {
					resp.TrustList.Expired = true
					resp.Warnings = append(resp.Warnings, verify.Reason{Code: verify.WarnTrustListExpired,
						Message: "this site's trust list expired on " + info.Expires.UTC().Format("02 Jan 2006") + ": import the latest trust-list bundle (revocations since then are not known)"})
				}
			}
		}
		if info.Issuers == 0 {
			resp.Warnings = append(resp.Warnings, verify.Reason{Code: verify.ReasonIssuerUnknown,
				Message: "no issuer is trusted yet: every passport will be refused until you run 'passport trust add' or 'passport trust import'"})
		}
	}
	writeJSON(w, resp)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// readBody reads the request's input: the raw body, or the first file (or
// "text" field) of a multipart form. It returns the data and a display name.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, string, int, error) {
	if r.ContentLength > s.cfg.MaxBodyBytes {
		return nil, "", http.StatusRequestEntityTooLarge, s.tooLarge()
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	name := cleanName(r.URL.Query().Get("name"))
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return nil, "", http.StatusBadRequest, errors.New(`the form has no "file" or "text" field: send e.g. curl -F file=@scan.png`)
				}
				return nil, "", s.readStatus(err), s.readErr(err)
			}
			if part.FormName() != "file" && part.FormName() != "text" {
				part.Close()
				continue
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, "", s.readStatus(err), s.readErr(err)
			}
			if n := cleanName(part.FileName()); n != "" {
				name = n
			}
			return data, name, 0, nil
		}
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, "", s.readStatus(err), s.readErr(err)
	}
	return data, name, 0, nil
}

func (s *Server) tooLarge() error {
	return fmt.Errorf("the upload is larger than this station accepts (%d MB): scan at 300 dpi or less, or send one page", s.cfg.MaxBodyBytes>>20)
}

func (s *Server) readStatus(err error) int {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func (s *Server) readErr(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return s.tooLarge()
	}
	return fmt.Errorf("the request body could not be read: %v", err)
}

// cleanName keeps the base name of an uploaded file, without control
// characters, shortened: it is only shown back, never used as a path.
func cleanName(n string) string {
	n = strings.ReplaceAll(n, "\\", "/")
	n = path.Base(n)
	if n == "." || n == "/" || n == ".." {
		return ""
	}
	n = strings.Map(func(r rune) rune {
		if credential.UnsafeRune(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(n, ""))
	if utf8.RuneCountInString(n) > maxFileNameRunes {
		n = string([]rune(n)[:maxFileNameRunes]) + "…"
	}
	return n
}

// sourceOf names the kind of input for the log.
func sourceOf(data []byte, camera bool) string {
	if camera {
		return "camera"
	}
	switch scan.Sniff(data) {
	case scan.KindText:
		return "text"
	case scan.KindImage:
		return "image"
	case scan.KindPDF:
		return "pdf"
	}
	return "other"
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) {
	sw, _ := w.(*statusWriter)
	data, name, code, err := s.readBody(w, r)
	if err != nil {
		errCode := "bad_request"
		if code == http.StatusRequestEntityTooLarge {
			errCode = "too_large"
		}
		apiError(w, code, errCode, err.Error())
		return
	}
	if len(bytes.TrimSpace(data)) == 0 {
		apiError(w, http.StatusBadRequest, "empty", "nothing was sent: post an image, a PDF or the passport text")
		return
	}
	camera := r.URL.Query().Get("source") == "camera"
	source := sourceOf(data, camera)
	if name == "" {
		name = map[string]string{"text": "scanner", "camera": "camera"}[source]
		if name == "" {
			name = "upload"
		}
	}
	if source == "text" {
		if len(data) > MaxTextBodyBytes {
			apiError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the text is over %d KB: send one passport text (or a few) at a time", MaxTextBodyBytes>>10))
			return
		}
	} else {
		// Decoding images and PDFs is CPU- and memory-heavy: a few at a time.
		ctx, cancel := context.WithTimeout(r.Context(), decodeWait)
		select {
		case s.decoders <- struct{}{}:
			cancel()
			defer func() { <-s.decoders }()
		case <-ctx.Done():
			cancel()
			w.Header().Set("Retry-After", "2")
			apiError(w, http.StatusServiceUnavailable, "busy", "the station is busy decoding other scans: try again in a moment")
			return
		}
	}
	results := s.results(r.Context(), name, data, source)
	now := s.cfg.Now()
	resp := VerifyResponse{Results: make([]policy.Verdict, 0, len(results)), Actions: make([]string, 0, len(results)), Logged: s.cfg.Log != nil}
	var summary []string
	ts := s.trustState()
	for _, res := range results {
		v := policy.Apply(s.cfg.Policy, res)
		v.Decision = policy.Decide(v, ts)
		resp.Results = append(resp.Results, v)
		summary = append(summary, verdictSummary(v)+"/"+string(v.Decision.Code))
		token := ""
		// A camera frame with no code in it is not a verification.
		if s.cfg.Log != nil && !(camera && res.Status == verify.StatusUnreadable) {
			id, err := s.cfg.Log.Add(r.Context(), EntryOf(v, source, now))
			if err != nil {
				resp.Logged = false
				s.cfg.AccessLog.Printf("verification log: %v", err)
			} else if actionable(v) {
				token = s.actions.issue(id, now)
			}
		}
		resp.Actions = append(resp.Actions, token)
	}
	if sw != nil {
		sw.verdict = strings.Join(summary, " ")
	}
	if camera && len(results) == 1 && results[0].Status == verify.StatusUnreadable {
		resp.Hint = cameraHint(data)
	}
	resp.Today = s.today()
	if strings.Contains(r.Header.Get("Accept"), "application/x-ndjson") {
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, v := range resp.Results {
			enc.Encode(v)
		}
		return
	}
	writeJSON(w, resp)
}

func verdictSummary(v policy.Verdict) string {
	s := string(v.Status)
	if v.CredentialID != "" {
		s += ":" + v.CredentialID
	}
	if v.Policy != nil {
		s += "/policy:" + string(v.Policy.Status)
	}
	return s
}
