package station

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// byteBudget bounds the request bytes held in memory at once, so memory
// stays bounded by design however many uploads arrive together. A request
// holds room only for the buffer it has: it reserves as its bytes arrive
// (bodyBuf), so a client that sends slowly holds almost nothing, and gives
// the room back when its answer is written.
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

// firstBodyStep is the room a request body first takes, from the small
// probe budget: a camera frame or a small scan fits. A body that goes on
// past it then takes the room for its whole declared length (or the upload
// limit) from the main budget at once.
const firstBodyStep = 256 << 10

// errBodyBusy is a body that could not get room because other uploads hold
// it (after bodyWait): the answer is 503.
var errBodyBusy = errors.New("the station is busy receiving other uploads: try again in a moment")

// errBodyTooSlow is a body arriving slower than minUploadRate: the answer is
// 408, and the room it held is free for others.
var errBodyTooSlow = fmt.Errorf("the upload arrived too slowly (under %d KB a second): check the network, then send it again", minUploadRate>>10)

// bodyBuf reads one request body into memory in two steps, so that a
// client sending slowly holds almost nothing of the main budget:
//  1. up to firstBodyStep bytes into a buffer held in the probe budget;
//  2. a body that goes on past that takes room for its whole length (the
//     declared length, or the upload limit) in the main budget, moves there
//     and gives its probe room back.
//
// No request waits for room while holding main-budget room, so requests
// cannot wait on each other in a circle. A body slower than minUploadRate
// after minRateGrace (time spent waiting for room not counted) is cut.
type bodyBuf struct {
	probes, main *byteBudget
	ctx          context.Context
	probeHeld    int64
	mainHeld     int64
	start        time.Time
	waited       time.Duration
}

// release gives back the room held; call it once the answer is written.
func (bb *bodyBuf) release() {
	if bb.probeHeld > 0 {
		bb.probes.release(bb.probeHeld)
		bb.probeHeld = 0
	}
	if bb.mainHeld > 0 {
		bb.main.release(bb.mainHeld)
		bb.mainHeld = 0
	}
}

func (bb *bodyBuf) acquire(b *byteBudget, n int64) error {
	ctx, cancel := context.WithTimeout(bb.ctx, bodyWait)
	defer cancel()
	t := time.Now()
	ok := b.acquire(ctx, n)
	bb.waited += time.Since(t)
	if !ok {
		return errBodyBusy
	}
	return nil
}

// read reads r to its end. hint is the declared length (0 or less when
// none), limit the most r may hold (r is capped by http.MaxBytesReader): a
// body ends in one buffer of its declared size.
func (bb *bodyBuf) read(r io.Reader, hint, limit int64) ([]byte, error) {
	first := int64(firstBodyStep)
	if hint > 0 && hint < first {
		first = hint
	}
	if err := bb.acquire(bb.probes, first); err != nil {
		return nil, err
	}
	bb.probeHeld = first
	buf := make([]byte, 0, first)
	for {
		if len(buf) == cap(buf) {
			// Full: move to the main budget only if another byte comes.
			var probe [1]byte
			n, err := r.Read(probe[:])
			if n == 0 {
				if err == io.EOF {
					return buf, nil
				}
				if err != nil {
					return buf, err
				}
				continue
			}
			if bb.mainHeld > 0 {
				return nil, io.ErrUnexpectedEOF // past the reserved length: MaxBytesReader stops it first
			}
			need := limit
			if hint > int64(len(buf)) {
				need = hint
			}
			if err := bb.acquire(bb.main, need); err != nil {
				return nil, err
			}
			bb.mainHeld = need
			nb := make([]byte, len(buf), need)
			copy(nb, buf)
			buf = append(nb, probe[0])
			bb.probes.release(bb.probeHeld)
			bb.probeHeld = 0
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
		if el := time.Since(bb.start) - bb.waited; el > minRateGrace && float64(len(buf)) < minUploadRate*el.Seconds() {
			return nil, errBodyTooSlow
		}
	}
}
