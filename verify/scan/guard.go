package scan

import "passport/verify/scan/internal/guard"

// The reader's panic guard lives in internal/guard, shared with imagedec so that
// a panic in either package's code is counted as the reader's own; its comment
// says where guard.Catch is deferred and why.

// ErrInternal means the reader itself failed on this input: a bug in the reader,
// not a fault of the file. The wrapping error names the panic and where it
// happened; report it with the file.
var ErrInternal = guard.ErrInternal

// ownPanics and lastOwnPanic are the guard's count of panics in the reader's
// code and the latest one's message, which the package's TestMain checks.
var (
	ownPanics    = &guard.OwnPanics
	lastOwnPanic = &guard.LastOwnPanic
)
