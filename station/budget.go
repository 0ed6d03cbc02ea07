package station

import (
	"context"
	"io"
	"sync"
)

// byteBudget bounds the request bytes held in memory at once, so memory
// stays bounded by design however many uploads arrive together: a request
// reserves its body's size (Content-Length, or the upload limit when the
// length is not declared) before reading a byte, and gives it back when
// its answer is written.
type byteBudget struct {
	mu      sync.Mutex
	free    int64
	changed chan struct{} // closed and replaced on every release
}

func newByteBudget(n int64) *byteBudget {
	return &byteBudget{free: n, changed: make(chan struct{})}
}

// acquire reserves n bytes, waiting until they are free or ctx is done; it
// reports whether they were reserved.
func (b *byteBudget) acquire(ctx context.Context, n int64) bool {
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			return true
		}
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

func (b *byteBudget) release(n int64) {
	b.mu.Lock()
	b.free += n
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

// readSized reads r to its end into one buffer of size hint (the declared
// length), so a known-length body costs its size once, not the doublings
// of io.ReadAll. A body longer than hint (a multipart part is shorter than
// its request) grows the buffer as usual; r is already capped by
// http.MaxBytesReader.
func readSized(r io.Reader, hint int64) ([]byte, error) {
	if hint <= 0 {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, hint)
	for {
		if len(buf) == cap(buf) {
			var probe [1]byte
			n, err := r.Read(probe[:])
			if n > 0 {
				buf = append(buf, probe[0])
				continue
			}
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return buf, err
			}
			continue
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
