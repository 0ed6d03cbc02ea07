package verify

// ForgetStep makes the verifier behave as if the code recording the i-th
// check had been forgotten, for the test that every check is required. It
// reports the check's name, whether there is an i-th check, and a function
// that puts things back.
func ForgetStep(i int) (name string, ok bool, restore func()) {
	s := stepTrustList << i
	if s > stepBody {
		return "", false, func() {}
	}
	forget = s
	return stepNames[s], true, func() { forget = 0 }
}
