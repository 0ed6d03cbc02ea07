// Package guard is the reader's only recover, shared by verify/scan and its
// sub-packages so that a panic in any of them is counted as the reader's own.
package guard

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
)

// The reader reads untrusted files, and a panic must not end the process that
// serves them. But a panic in the reader's own code is a bug to fix, not a
// damaged file: it must reach the user as ErrInternal and fail the tests
// (TestMain checks OwnPanics). Catch is the reader's only recover. It is
// deferred in two places:
//
//   - as the top-level guard (top true), at each exported entry point and at the
//     start of every goroutine the reader starts: any panic becomes an error,
//     and one whose origin is the reader's code is counted;
//   - around calls into third-party decoders known to panic on odd input
//     (gozxing's detector and binarizers on odd geometry, pdfcpu, the standard
//     library's and x/image's image decoders), where a panic means "this one
//     attempt read nothing". There (top false) a panic that started in the
//     reader's code, called back by the library, is passed on unchanged to the
//     top-level guard instead of being forgiven.

// ErrInternal means the reader itself failed on this input: a bug in the reader,
// not a fault of the file. The wrapping error names the panic and where it
// happened; report it with the file.
var ErrInternal = errors.New("scan: internal error in the reader (a bug, not a fault of the file; please report it with the file)")

// ErrForeignPanic marks a panic inside a third-party decoder (see Catch).
var ErrForeignPanic = errors.New("third-party decoder failed")

// OwnPanics counts the panics caught whose origin is the reader's code
// (verify/scan and its sub-packages); their tests fail unless it stays at what
// they injected themselves.
var OwnPanics atomic.Int64

// LastOwnPanic is the message and stack of the latest counted panic, for the
// test that reports it.
var LastOwnPanic atomic.Pointer[string]

// readerPath is verify/scan's import path: its functions' names in a stack
// trace start with it and a dot, its sub-packages' with it and a slash.
var readerPath = func() string {
	name := runtime.FuncForPC(reflect.ValueOf(shortFile).Pointer()).Name()
	return strings.TrimSuffix(name[:strings.LastIndex(name, ".")], "/internal/guard")
}()

// isOwn reports whether a function (as named in a stack trace) is the reader's.
func isOwn(function string) bool {
	return strings.HasPrefix(function, readerPath+".") || strings.HasPrefix(function, readerPath+"/")
}

// panicked is a recovered panic with the function it started in.
type panicked struct {
	value  any
	origin string // the innermost function below the panic that is not the runtime's
	stack  string
	own    bool // origin is in the reader's code
}

// Catch is deferred directly (defer guard.Catch(&err, top); recover works only
// in the deferred function itself) to turn a panic into *err; see the comment at
// the top of this file for where and why.
func Catch(err *error, top bool) {
	r := recover()
	if r == nil {
		return
	}
	p, rethrown := r.(*panicked)
	if !rethrown {
		p = origin(r)
	}
	if !top {
		if p.own {
			panic(p)
		}
		*err = fmt.Errorf("%w: %v (in %s)", ErrForeignPanic, p.value, p.origin)
		return
	}
	if p.own {
		OwnPanics.Add(1)
		msg := fmt.Sprintf("panic: %v\n%s", p.value, p.stack)
		LastOwnPanic.Store(&msg)
	}
	*err = fmt.Errorf("%w: %v (in %s)", ErrInternal, p.value, p.origin)
}

// origin finds where the panic being recovered started: the first frame below
// runtime.gopanic that is not in the runtime (an index out of range passes
// through runtime.goPanicIndex). It must be called from the deferred function,
// while the panicking frames are still on the stack.
func origin(r any) *panicked {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	p := &panicked{value: r, origin: "unknown"}
	var stack strings.Builder
	below := false
	for {
		f, more := frames.Next()
		fmt.Fprintf(&stack, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
		switch {
		case f.Function == "runtime.gopanic":
			below = true
		case below && p.origin == "unknown" && !strings.HasPrefix(f.Function, "runtime."):
			p.origin = fmt.Sprintf("%s at %s:%d", f.Function, shortFile(f.File), f.Line)
			p.own = isOwn(f.Function)
		}
		if !more {
			break
		}
	}
	p.stack = stack.String()
	return p
}

// shortFile keeps a path's last two elements (package directory and file).
func shortFile(path string) string {
	parts := strings.Split(path, "/")
	return strings.Join(parts[max(len(parts)-2, 0):], "/")
}
