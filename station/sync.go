package station

import (
	"passport/credential"
	"passport/verify"
)

// WarnTrustSyncFailed is the status warning shown while the latest
// background trust-list sync failed. The list in force still verifies; it
// goes stale at Sync.StaleAt.
const WarnTrustSyncFailed credential.Reason = "trust_sync_failed"

// syncStatus adds the background sync's state, and a warning when its last
// attempt failed, to a status response.
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
}
