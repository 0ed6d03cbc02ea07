package trust

// UnverifiedBundle decodes the bundle's payload WITHOUT checking its
// signature. It exists for the publishing side (`passport authority
// publish` writes the version and expiry into an index beside the bundle);
// nothing that decides trust may use it: sites import through Verify.
func (s *SignedBundle) UnverifiedBundle() (*Bundle, error) {
	return UnmarshalBundle(s.msg.Payload)
}
