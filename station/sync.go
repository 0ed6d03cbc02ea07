package station

import (
	"time"

	"passport/credential"
	"passport/trust"
	"passport/verify"
)

// WarnTrustSyncFailed is the status warning shown while the latest
// background trust-list sync failed. The list in force still verifies; it
// goes stale at Sync.StaleAt.
const WarnTrustSyncFailed credential.Reason = "trust_sync_failed"

// WarnTrustListUnconfirmed is the warning shown while the list in force
// names a timestamp key and no freshness statement confirms it as the
// newest (trust.ListUnconfirmed): a revocation may be missing.
const WarnTrustListUnconfirmed = verify.WarnTrustListUnconfirmed

// syncStatus adds the background sync's state, and a warning when its last
// attempt failed or the list it keeps is no longer confirmed, to a status
// response. Every text in it is the syncer's, already cleaned of control
// and escape characters.
func (s *Server) syncStatus(resp *StatusResponse) {
	if s.cfg.Sync == nil {
		return
	}
	st := s.cfg.Sync.Status()
	resp.Sync = &st
	if st.LastError != "" {
		resp.Warnings = append(resp.Warnings, verify.Reason{Code: WarnTrustSyncFailed,
			Message: "the trust list could not be refreshed from " + st.Source + ": " + st.LastError + "; the list in force is kept"})
	}
	if info, err := s.cfg.Store.Info(); err == nil {
		if w := UnconfirmedWarning(info, s.cfg.Now()); w != nil {
			resp.Warnings = append(resp.Warnings, *w)
		}
	}
}

// UnconfirmedWarning is the trust_list_unconfirmed warning for a list
// that is unconfirmed at now, saying since when; nil otherwise.
func UnconfirmedWarning(info trust.ListInfo, now time.Time) *verify.Reason {
	return verify.UnconfirmedWarning(info, now)
}
