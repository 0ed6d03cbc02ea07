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
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"passport/credential"
	"passport/policy"
	"passport/read"
	"passport/sitedb"
	"passport/trust"
	"passport/trustsync"
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
	// PolicySource, when set, gives the policy to apply instead of Policy,
	// asked again for each verification and status: the trust list's named
	// policy, which a sync or an import may replace while the station runs.
	// It returns the policy it last gave successfully with any error, so a
	// newer list that no longer holds the policy, or holds one this
	// verifier cannot read, keeps the site's rules in force; the error is
	// shown as a status warning (policy_not_reloaded).
	PolicySource func() (*policy.Policy, error)
	// MaxBodyBytes caps a request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// BodiesInFlightBytes caps the upload bytes held in memory at once,
	// over all requests; 0 means DefaultBodiesInFlightBytes. It is raised
	// to MaxBodyBytes if lower, so one full upload always fits. The first
	// bytes of each body are held apart (probeBudget), so clients that send
	// slowly do not hold it.
	BodiesInFlightBytes int64
	// DecodeBudget bounds the barcode reading of one image or PDF; 0 means
	// DefaultDecodeBudget.
	DecodeBudget time.Duration
	// CameraBudget bounds the barcode reading of one camera frame (POST
	// /api/verify?source=camera); 0 means DefaultCameraBudget. It may not
	// exceed DecodeBudget.
	CameraBudget time.Duration
	// Decoders is how many images or PDFs are decoded at once; 0 means one
	// fewer than the number of CPUs (at least one). Others wait (up to 30 s, then 503).
	Decoders int
	// Now gives the time to verify at; nil means time.Now.
	Now func() time.Time
	// AccessLog receives one line per request (method, path, status,
	// duration, verdicts and credential ids; never credential texts). Nil
	// discards.
	AccessLog *log.Logger
	// Sync, when set, is the background trust-list sync (`serve --sync`);
	// its state is shown in /api/status.
	Sync *trustsync.Syncer
	// Addr is the address the server listens on. On a loopback address
	// (or when empty) only the Host names localhost, 127.0.0.1 and [::1]
	// are answered; beyond loopback, AllowHosts is required too. Any other
	// Host is refused with 421: a defence against DNS rebinding, where a
	// web page's own name is made to point at the station.
	Addr string
	// AllowHosts are the host names (without port) clients on the network
	// use to reach a station listening beyond loopback (`serve
	// --allow-host`). Required then; loopback names are always allowed.
	AllowHosts []string
}

// timeFloorer is a trust store that knows the newest time the site has seen
// pass (sitedb.DB).
type timeFloorer interface {
	TimeFloor() (trust.TimeFloor, error)
}

// Server is the verifier station's HTTP handler.
type Server struct {
	cfg      Config
	verifier *verify.Verifier
	reader   *read.Reader
	decoders chan struct{}
	bodies   *byteBudget // room for whole bodies (BodiesInFlightBytes)
	probes   *byteBudget // room for the first firstBodyStep bytes of each body
	mux      *http.ServeMux
	static   fs.FS
	hosts    map[string]bool // Host names (lower case, no port) answered
	actions  actions
	// policyErr is the last policy reload error logged ("" for none).
	policyErr atomic.Value
}

// New checks cfg and makes a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("station: no trust store given")
	}
	switch {
	case cfg.MaxBodyBytes == 0:
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	case cfg.MaxBodyBytes < MaxTextBodyBytes || cfg.MaxBodyBytes > read.MaxInputBytes:
		return nil, fmt.Errorf("maximum upload size %d bytes is out of range: use %d KB to %d MB", cfg.MaxBodyBytes, MaxTextBodyBytes>>10, read.MaxInputBytes>>20)
	}
	if cfg.BodiesInFlightBytes == 0 {
		cfg.BodiesInFlightBytes = DefaultBodiesInFlightBytes
	}
	cfg.BodiesInFlightBytes = max(cfg.BodiesInFlightBytes, cfg.MaxBodyBytes)
	if cfg.Decoders <= 0 {
		// One core stays free for scanner texts and the page: with every
		// core decoding hard images, a USB scanner's text waited 400 ms
		// (p99) on a 2-core desk PC; with one left it answers in under 100.
		cfg.Decoders = max(1, runtime.NumCPU()-1)
	}
	if cfg.DecodeBudget <= 0 {
		cfg.DecodeBudget = DefaultDecodeBudget
	}
	if cfg.CameraBudget <= 0 {
		cfg.CameraBudget = min(DefaultCameraBudget, cfg.DecodeBudget)
	}
	if cfg.CameraBudget > cfg.DecodeBudget {
		return nil, fmt.Errorf("the camera frame budget %v is longer than the decode budget %v: a frame may not take longer than an upload", cfg.CameraBudget, cfg.DecodeBudget)
	}
	verifyOpts := []verify.Option{}
	if cfg.Now == nil {
		cfg.Now = time.Now
		// On the system clock, the station checks it against the newest
		// time the site knows has passed (the trust list's issue, the
		// newest statement and log row): a PC whose clock was set back
		// must not accept passports that have expired.
		if fl, ok := cfg.Store.(timeFloorer); ok {
			verifyOpts = append(verifyOpts, verify.WithTimeFloor(fl.TimeFloor))
		}
	}
	if cfg.AccessLog == nil {
		cfg.AccessLog = log.New(io.Discard, "", 0)
	}
	static, err := fs.Sub(webFS, "web")
	if err != nil {
		return nil, err
	}
	verifier, err := verify.NewVerifier(cfg.Store, append(verifyOpts, verify.WithClock(cfg.Now))...)
	if err != nil {
		return nil, err
	}
	reader, err := read.New(verifier, read.WithLimits(read.Limits{MaxInputBytes: int(cfg.MaxBodyBytes)}),
		read.WithDecodeBudget(cfg.DecodeBudget, 0))
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, verifier: verifier, reader: reader, decoders: make(chan struct{}, cfg.Decoders), static: static,
		bodies: newByteBudget(cfg.BodiesInFlightBytes), probes: newByteBudget(probeBudget(cfg.BodiesInFlightBytes))}
	if s.hosts, err = allowedHosts(cfg.Addr, cfg.AllowHosts); err != nil {
		return nil, err
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

// loopbackHosts are the Host names a station always answers to.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// allowedHosts is the set of Host names the station answers to: the
// loopback names, and when it listens beyond loopback the names given with
// --allow-host, which are then required.
func allowedHosts(addr string, allow []string) (map[string]bool, error) {
	hosts := map[string]bool{}
	for _, h := range loopbackHosts {
		hosts[h] = true
	}
	listen := ""
	if addr != "" {
		h, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("listen address %q: %v", addr, err)
		}
		listen = h
	}
	beyond := addr != "" && !isLoopbackName(listen)
	if !beyond && listen != "" {
		hosts[strings.ToLower(listen)] = true // e.g. 127.0.0.2
	}
	if beyond && len(allow) == 0 {
		return nil, fmt.Errorf("listening on %s reaches beyond this computer, so the station must know the names clients use for it (a defence against DNS rebinding): give --allow-host NAME for each, e.g. --allow-host reception-pc.local", addr)
	}
	for _, h := range allow {
		h = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(h), "["), "]"))
		if h == "" || strings.ContainsAny(h, ":/ ") && net.ParseIP(h) == nil {
			return nil, fmt.Errorf("--allow-host %q is not a host name or address: give the name without scheme or port, e.g. reception-pc.local", h)
		}
		hosts[h] = true
	}
	return hosts, nil
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
	case !s.hosts[hostOnly(r.Host)]:
		apiError(sw, http.StatusMisdirectedRequest, "bad_host", "this station does not answer to the name "+safeLog(r.Host)+": open http://127.0.0.1 (port as started) on this computer, or a name given to serve with --allow-host")
	case r.Method == http.MethodPost && !sameOrigin(r):
		apiError(sw, http.StatusForbidden, "cross_origin", "requests from other web sites are refused: post from the station page or a local program (without an Origin header)")
	default:
		s.mux.ServeHTTP(sw, r)
	}
	// The path only: query strings and bodies are never logged.
	s.cfg.AccessLog.Printf("%s %s %d %s %s", r.Method, safeLog(r.URL.Path), sw.code, time.Since(start).Round(time.Millisecond), sw.verdict)
}

// hostOnly is a Host header's name, lower case, without port or brackets.
func hostOnly(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
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
		if credential.UnsafeRune(r) || unicode.IsSpace(r) {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(s, "_"))
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
	// Incomplete is set, for text posted with partial=1 (the page asking
	// while a scanner types), when the text stops before a code could:
	// nothing was logged, and the page waits for the rest.
	Incomplete bool `json:"incomplete,omitempty"`
	// Region is, for a camera frame, where in it the code was read or its
	// finder patterns seen (when neither, the roi sent with it, or a small
	// busy square), in the frame's pixels; the page sends it back with the
	// next frame (roi=x,y,w,h), whose decode then starts there.
	Region *Region `json:"region,omitempty"`
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
	Sync      *trustsync.Status   `json:"sync,omitempty"`
	// LogHead is the newest row of the verification log's hash chain (its
	// id and hash): an auditor notes it, and `passport log --verify` later
	// shows whether the rows up to it are unchanged.
	LogHead *sitedb.Head `json:"log_head,omitempty"`
}

// WarnTrustListExpiring is the status warning shown in the week before the
// site's trust list expires (TrustExpiryWarning), so a new one can be
// imported before every passport says CHECK NEEDED.
const WarnTrustListExpiring credential.Reason = "trust_list_expiring"

// TrustExpiryWarning is how long before its expiry the page warns about
// the trust list: a week covers a weekend and a coordinator's leave.
const TrustExpiryWarning = 7 * 24 * time.Hour

// inDays says how long is left in words a receptionist reads.
func inDays(d time.Duration) string {
	switch days := int(d.Hours() / 24); {
	case days < 1:
		return "today"
	case days == 1:
		return "tomorrow"
	default:
		return fmt.Sprintf("in %d days", days)
	}
}

// WarnPolicyNotReloaded is the status warning shown when the site's named
// policy could not be read from the trust list now in force: the station
// goes on applying the one it last read.
const WarnPolicyNotReloaded credential.Reason = "policy_not_reloaded"

// policy is the site policy to apply now, and why it is not the trust
// list's current one when it is not (see Config.PolicySource).
func (s *Server) policy() (*policy.Policy, error) {
	if s.cfg.PolicySource == nil {
		return s.cfg.Policy, nil
	}
	return s.cfg.PolicySource()
}

// logPolicyError writes a policy reload error to the access log once, not
// on every verification while it lasts.
func (s *Server) logPolicyError(err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if old, _ := s.policyErr.Swap(msg).(string); old != msg && msg != "" && s.cfg.AccessLog != nil {
		s.cfg.AccessLog.Printf("site policy: %s", msg)
	}
}

// WarnLogUnreadable is the status warning shown when the verification log
// cannot be read (today's count, its head).
const WarnLogUnreadable credential.Reason = "log_unreadable"

// today is the count of today's verifications: -1 without a log, or when
// it could not be read (the status says why).
func (s *Server) today() (int, error) {
	if s.cfg.Log == nil {
		return -1, nil
	}
	n, err := s.cfg.Log.Today()
	if err != nil {
		return -1, err
	}
	return n, nil
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	resp := StatusResponse{Warnings: []verify.Reason{}, MaxUpload: s.cfg.MaxBodyBytes}
	pol, polErr := s.policy()
	if pol != nil {
		resp.Policy = pol.Name
	}
	if polErr != nil {
		resp.Warnings = append(resp.Warnings, verify.Reason{Code: WarnPolicyNotReloaded, Message: polErr.Error()})
	}
	if s.cfg.Log != nil {
		var err error
		if resp.Today, err = s.today(); err != nil {
			resp.Warnings = append(resp.Warnings, verify.Reason{Code: WarnLogUnreadable, Message: "the verification log could not be read: " + err.Error()})
		}
		if head, err := s.cfg.Log.Head(); err != nil {
			resp.Warnings = append(resp.Warnings, verify.Reason{Code: WarnLogUnreadable, Message: "the verification log could not be read: " + err.Error()})
		} else {
			resp.LogHead = &head
		}
		if err := s.cfg.Log.PruneError(); err != nil {
			resp.Warnings = append(resp.Warnings, verify.Reason{Code: WarnLogPruneFailed,
				Message: "old log entries could not be deleted as the retention period promises: " + err.Error()})
		}
	} else {
		resp.Today = -1
	}
	s.syncStatus(&resp)
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
				now := s.cfg.Now()
				if now.After(info.Expires) {
					resp.TrustList.Expired = true
					resp.Warnings = append(resp.Warnings, verify.Reason{Code: verify.WarnTrustListExpired,
						Message: "this site's trust list expired on " + info.Expires.UTC().Format("02 Jan 2006") + ": import the latest trust-list bundle (revocations since then are not known)"})
				} else if left := info.Expires.Sub(now); left < TrustExpiryWarning {
					resp.Warnings = append(resp.Warnings, verify.Reason{Code: WarnTrustListExpiring,
						Message: fmt.Sprintf("this site's trust list expires on %s (%s): ask your administrator to import the latest trust-list bundle before then, or every passport will say CHECK NEEDED",
							info.Expires.UTC().Format("02 Jan 2006"), inDays(left))})
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

// bodyLimit is the cap to read r's body under: its declared length, or the
// upload limit when it declares none; 413 for a declared body over it.
// metered is false for a small declared body (a scanner's text), which
// needs no room among the bodies in flight, so a USB scanner is never kept
// waiting by uploads.
func (s *Server) bodyLimit(r *http.Request) (limit int64, metered bool, err error) {
	switch n := r.ContentLength; {
	case n > s.cfg.MaxBodyBytes:
		return 0, false, s.tooLarge()
	case n >= 0 && n <= MaxTextBodyBytes:
		return n, false, nil
	case n > 0:
		return n, true, nil
	}
	return s.cfg.MaxBodyBytes, true, nil
}

// readBody reads the request's input: the raw body, or the first file (or
// "text" field) of a multipart form, reading at most limit bytes into bb
// (room reserved as the bytes arrive). It returns the data and a display
// name.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64, bb *bodyBuf) ([]byte, string, int, error) {
	body := http.MaxBytesReader(w, r.Body, limit)
	name := cleanName(r.URL.Query().Get("name"))
	read := func(rd io.Reader) ([]byte, error) {
		if bb == nil {
			return io.ReadAll(io.LimitReader(rd, limit+1))
		}
		return bb.read(rd, r.ContentLength, limit)
	}
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
			data, err := read(part)
			if err != nil {
				return nil, "", s.readStatus(err), s.readErr(err)
			}
			if n := cleanName(part.FileName()); n != "" {
				name = n
			}
			return data, name, 0, nil
		}
	}
	data, err := read(body)
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
	switch {
	case errors.As(err, &mb):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errBodyBusy):
		return http.StatusServiceUnavailable
	case errors.Is(err, errBodyTooSlow):
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}

func (s *Server) readErr(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return s.tooLarge()
	}
	if errors.Is(err, errBodyBusy) || errors.Is(err, errBodyTooSlow) {
		return err
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

// receive reads the body, reserving room for it as its bytes arrive
// (bodyBuf); on failure it has written the error answer and ok is false.
// release gives the room back once the answer is written.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) (data []byte, name string, release func(), ok bool) {
	limit, metered, err := s.bodyLimit(r)
	code := http.StatusRequestEntityTooLarge
	release = func() {}
	if err == nil {
		var bb *bodyBuf
		if metered {
			bb = &bodyBuf{probes: s.probes, main: s.bodies, ctx: r.Context(), start: time.Now()}
			release = bb.release
		}
		if data, name, code, err = s.readBody(w, r, limit, bb); err != nil {
			release()
		}
	}
	if err != nil {
		errCode := map[int]string{http.StatusRequestEntityTooLarge: "too_large", http.StatusServiceUnavailable: "busy", http.StatusRequestTimeout: "too_slow"}[code]
		if errCode == "" {
			errCode = "bad_request"
		}
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "2")
		}
		if code == http.StatusRequestTimeout {
			w.Header().Set("Connection", "close")
		}
		apiError(w, code, errCode, err.Error())
		return nil, "", nil, false
	}
	return data, name, release, true
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) {
	sw, _ := w.(*statusWriter)
	data, name, release, ok := s.receive(w, r)
	if !ok {
		return
	}
	defer release()
	if len(bytes.TrimSpace(data)) == 0 {
		apiError(w, http.StatusBadRequest, "empty", "nothing was sent: post an image, a PDF or the passport text")
		return
	}
	camera := r.URL.Query().Get("source") == "camera"
	roi, err := frameROI(r.URL.Query(), camera, data)
	if err != nil {
		apiError(w, http.StatusBadRequest, "bad_roi", err.Error())
		return
	}
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
		done, ok := s.decodeSlot(w, r)
		if !ok {
			return
		}
		defer done()
	}
	var frame scan.Frame
	var results []verify.Result
	if camera {
		results, frame = s.reader.VerifyFrame(r.Context(), name, data, scan.Options{Budget: s.cfg.CameraBudget, Region: roi})
	} else {
		results = s.results(r.Context(), name, data, source)
	}
	now := s.cfg.Now()
	resp := VerifyResponse{Results: s.verdicts(results), Logged: s.cfg.Log != nil}
	// The page asks (partial=1) whether what the scanner typed so far is a
	// whole code: the verifier's rule says, not the page. Text that stops
	// before a code could is answered "incomplete" and not logged: the rest
	// may still come. A whole code that fails to decode is an answer.
	incomplete := source == "text" && r.URL.Query().Get("partial") == "1" && incompleteText(data, resp.Results)
	if incomplete {
		resp.Incomplete, resp.Logged = true, false
		resp.Actions = make([]string, len(resp.Results))
		if sw != nil {
			sw.verdict = "incomplete"
		}
	} else {
		summary := s.record(r.Context(), &resp, source, camera, now)
		if sw != nil {
			sw.verdict = summary
		}
	}
	if camera {
		resp.Region = regionOf(frame.Region)
		if len(results) == 1 && results[0].Status == verify.StatusUnreadable {
			resp.Hint = frameHint(frame)
		}
	}
	if n, err := s.today(); err != nil {
		resp.Today = -1
		s.cfg.AccessLog.Printf("verification log: %v", err)
	} else {
		resp.Today = n
	}
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

// decodeSlot waits up to decodeWait for one of the decoders: decoding
// images and PDFs is CPU- and memory-heavy, so a few run at a time. When
// none came free it has written a 503 and ok is false.
// verdicts applies the site policy to each result and decides it (the
// verifier has already made what a person reads of it safe to show).
func (s *Server) verdicts(results []verify.Result) []policy.Verdict {
	out := make([]policy.Verdict, 0, len(results))
	pol, err := s.policy()
	s.logPolicyError(err)
	for _, res := range results {
		v := policy.Apply(pol, res)
		v.Decision = policy.Decide(v)
		out = append(out, v)
	}
	return out
}

// record logs each verdict of resp and sets its Accept/Refuse tickets; it
// returns the access log's summary of the verdicts.
func (s *Server) record(ctx context.Context, resp *VerifyResponse, source string, camera bool, now time.Time) string {
	var summary []string
	resp.Actions = make([]string, 0, len(resp.Results))
	for _, v := range resp.Results {
		summary = append(summary, verdictSummary(v)+"/"+string(v.Decision.Code))
		token := ""
		// A camera frame with no code in it is not a verification.
		if s.cfg.Log != nil && !(camera && v.Status == verify.StatusUnreadable) {
			id, err := s.cfg.Log.Add(ctx, EntryOf(v, source, now))
			if err != nil {
				resp.Logged = false
				s.cfg.AccessLog.Printf("verification log: %v", err)
			} else if actionable(v) {
				token = s.actions.issue(id, now)
			}
		}
		resp.Actions = append(resp.Actions, token)
	}
	return strings.Join(summary, " ")
}

func (s *Server) decodeSlot(w http.ResponseWriter, r *http.Request) (done func(), ok bool) {
	ctx, cancel := context.WithTimeout(r.Context(), decodeWait)
	defer cancel()
	select {
	case s.decoders <- struct{}{}:
		return func() { <-s.decoders }, true
	case <-ctx.Done():
		w.Header().Set("Retry-After", "2")
		apiError(w, http.StatusServiceUnavailable, "busy", "the station is busy decoding other scans: try again in a moment")
		return nil, false
	}
}

func verdictSummary(v policy.Verdict) string {
	s := string(v.Status)
	if v.CredentialID != "" {
		s += ":" + safeLog(v.CredentialID) // a DCC's ci is the issuer's text
	}
	if v.Policy != nil {
		s += "/policy:" + string(v.Policy.Status)
	}
	return s
}
