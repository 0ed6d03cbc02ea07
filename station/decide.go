package station

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"passport/internal/textsafe"
	"passport/policy"
	"passport/read"
	"passport/sitedb"
	"passport/verify"
)

// results verifies one input. Text (a USB scanner, a pasted or uploaded
// text file) goes line by line through verify.ExtractCode, so stray keys, scanner
// prefixes and suffixes and Caps Lock do not matter, and text with no
// credential in it is one "not a passport" result however many lines it
// has. Images and PDFs go to the verifier whole.
func (s *Server) results(ctx context.Context, name string, data []byte, source string) []verify.Result {
	if source != "text" {
		return s.reader.Verify(ctx, name, data)
	}
	codes, other := textCodes(data, read.MaxTextLines)
	if len(codes) == 0 {
		return []verify.Result{notAPassport(name, other)}
	}
	out := make([]verify.Result, 0, len(codes))
	for _, c := range codes {
		if ctx.Err() != nil {
			return []verify.Result{verify.Unreadable(name, ctx.Err())}
		}
		out = append(out, s.verifier.VerifyText(name, c))
	}
	return out
}

// actionable reports whether the page offers Accept and Refuse for v: only
// for a genuine staff passport (never for a forgery, an unreadable scan or
// an EU DCC).
func actionable(v policy.Verdict) bool {
	return v.Status == verify.StatusValid && v.Parsed != nil && v.DCC == nil &&
		(v.Decision.Code == policy.Accept || v.Decision.Code == policy.CheckNeeded)
}

// actionTTL is how long after a verification its Accept or Refuse may be
// pressed: a person at the desk decides within minutes.
const actionTTL = 15 * time.Minute

// actions hands out one unguessable ticket per actionable log row, so the
// action endpoint can only mark a verification this station showed, and
// only for a while. A ticket is the row id and its expiry, MACed with a key
// the station makes at start: nothing is kept per ticket, so no load can
// evict a pending one, and a ticket dies with the station. That a ticket
// works once is the log's rule (one press per verification), so it holds
// across concurrent presses too.
type actions struct {
	once sync.Once
	key  [32]byte
	err  error
}

const ticketLen = 8 + 8 + 16 // id, expiry (unix ms), truncated HMAC-SHA256

func (a *actions) mac(msg []byte) []byte {
	m := hmac.New(sha256.New, a.key[:])
	m.Write(msg)
	return m.Sum(nil)[:16]
}

func (a *actions) issue(id int64, now time.Time) string {
	a.once.Do(func() { _, a.err = rand.Read(a.key[:]) })
	if a.err != nil {
		return ""
	}
	b := make([]byte, 16, ticketLen)
	binary.BigEndian.PutUint64(b, uint64(id))
	binary.BigEndian.PutUint64(b[8:], uint64(now.Add(actionTTL).UnixMilli()))
	return hex.EncodeToString(append(b, a.mac(b)...))
}

func (a *actions) lookup(tok string, now time.Time) (int64, bool) {
	a.once.Do(func() { _, a.err = rand.Read(a.key[:]) })
	b, err := hex.DecodeString(tok)
	if a.err != nil || err != nil || len(b) != ticketLen || !hmac.Equal(b[16:], a.mac(b[:16])) {
		return 0, false
	}
	if now.UnixMilli() > int64(binary.BigEndian.Uint64(b[8:])) {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b)), true
}

// ActionRequest is the body of POST /api/action: what the person at the
// desk decided about a verification the station showed.
type ActionRequest struct {
	// Token is the verification's entry in VerifyResponse.Actions.
	Token string `json:"token"`
	// Action is "accepted" or "refused".
	Action string `json:"action"`
	// By is the name the person gave for their shift.
	By string `json:"by"`
	// Reason says why a verification the station decided CHECK NEEDED is
	// accepted anyway (required then; recorded as an override).
	Reason string `json:"reason,omitempty"`
}

// ActionResponse is the body of a successful POST /api/action.
type ActionResponse struct {
	Recorded bool   `json:"recorded"`
	Action   string `json:"action"`
	By       string `json:"by"`
}

// maxActionBody and maxNameRunes bound an action request.
const (
	maxActionBody  = 4 << 10
	maxNameRunes   = 80
	maxReasonRunes = 200
)

// apiAction records Accept or Refuse on a logged verification. It is a
// JSON-only POST (a cross-site form cannot send it without a CORS
// preflight, which the station never grants), same-origin checked in
// ServeHTTP like /api/verify, and needs the ticket the verification
// returned.
func (s *Server) apiAction(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Log == nil {
		apiError(w, http.StatusNotFound, "no_log", "this station keeps no log, so decisions cannot be recorded: start it with a --db")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		apiError(w, http.StatusUnsupportedMediaType, "bad_type", `send JSON: {"token": ..., "action": "accepted" or "refused", "by": your name}`)
		return
	}
	var req ActionRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxActionBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", `the body is not valid: send {"token": ..., "action": "accepted" or "refused", "by": your name}`)
		return
	}
	by, err := cleanPerson(req.By)
	if err != nil {
		apiError(w, http.StatusBadRequest, "bad_name", err.Error())
		return
	}
	if req.Action != sitedb.ActionAccepted && req.Action != sitedb.ActionRefused {
		apiError(w, http.StatusBadRequest, "bad_action", `"action" must be "accepted" or "refused"`)
		return
	}
	reason, err := cleanReason(req.Reason)
	if err != nil {
		apiError(w, http.StatusBadRequest, "bad_reason", err.Error())
		return
	}
	now := s.cfg.Now()
	id, ok := s.actions.lookup(req.Token, now)
	if !ok {
		apiError(w, http.StatusNotFound, "unknown_verification", "this check is not known or is over 15 minutes old: scan the passport again, then press Accept or Refuse")
		return
	}
	_, err = s.cfg.Log.AddAction(r.Context(), sitedb.Action{Ref: id, Action: req.Action, By: by, Reason: reason, At: now})
	switch {
	case errors.Is(err, sitedb.ErrAlreadyDecided):
		apiError(w, http.StatusConflict, "already_recorded", "a decision is already recorded for this check and cannot be changed: scan the passport again to record a new one")
		return
	case errors.Is(err, sitedb.ErrReasonRequired):
		apiError(w, http.StatusBadRequest, "reason_required", "the station said CHECK NEEDED: type why you accept this passport anyway (it is kept with your Accept)")
		return
	case errors.Is(err, sitedb.ErrNoVerification):
		apiError(w, http.StatusNotFound, "unknown_verification", err.Error())
		return
	case err != nil:
		apiError(w, http.StatusInternalServerError, "log_failed", "the decision could not be recorded: "+err.Error())
		return
	}
	writeJSON(w, ActionResponse{Recorded: true, Action: req.Action, By: by})
}

// cleanReason checks the reason given for accepting against CHECK NEEDED:
// one line of printable text, not a code.
func cleanReason(s string) (string, error) {
	s = textsafe.Clean(s)
	switch {
	case textsafe.Blank(s):
		return "", nil
	case utf8.RuneCountInString(s) > maxReasonRunes:
		return "", errors.New("the reason is over 200 characters: shorten it")
	case looksLikeCode(s):
		return "", errors.New("the reason looks like a passport code: type why you accept in words")
	}
	return s, nil
}

// cleanPerson keeps the name typed at the desk without hidden characters
// (textsafe.Clean: an invisible or direction-changing character must not
// make one name look like another in the log) and refuses one that is
// blank without them, too long, or a code.
func cleanPerson(s string) (string, error) {
	s = textsafe.Clean(s)
	switch {
	case textsafe.Blank(s):
		return "", errors.New("type your name once for this shift (it is kept with each Accept or Refuse)")
	case utf8.RuneCountInString(s) > maxNameRunes:
		return "", errors.New("the name is over 80 characters: shorten it")
	case looksLikeCode(s):
		return "", errors.New("the name looks like a passport code, not a name: type your name")
	}
	return s, nil
}

// looksLikeCode reports a desk name that holds a passport's prefix or a run
// of characters no name has (20 or more base45 capitals and digits with no
// space): a scan typed into the name box must never be kept as a name,
// since the log keeps no credential text. The page applies the same rule.
func looksLikeCode(s string) bool {
	u := strings.ToUpper(s)
	if strings.Contains(u, "SP1:") || strings.Contains(u, "HC1:") {
		return true
	}
	run := 0
	for _, r := range s {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || strings.ContainsRune("$%*+-./:", r) {
			if run++; run >= 20 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
