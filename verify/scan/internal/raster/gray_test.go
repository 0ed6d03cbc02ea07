package raster

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// noise is a w×h plane of uniformly random pixels, the same for a seed.
func noise(w, h int, seed uint64) *Gray {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	g := New(w, h)
	for i := range g.Pix {
		g.Pix[i] = byte(rng.IntN(256))
	}
	return g
}

// median3 matches a plain sort of each 3×3 window, on noise and on flat and
// striped images, with borders (and images too small to filter) copied.
func TestMedian3MatchesSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, size := range [][2]int{{1, 1}, {2, 5}, {3, 3}, {4, 3}, {17, 9}, {64, 40}} {
		for pattern := 0; pattern < 3; pattern++ {
			w, h := size[0], size[1]
			g := New(w, h)
			for i := range g.Pix {
				switch pattern {
				case 0:
					g.Pix[i] = byte(rng.IntN(256))
				case 1:
					g.Pix[i] = byte(rng.IntN(3) * 100) // many ties
				case 2:
					g.Pix[i] = byte((i % w / 2 % 2) * 255) // stripes
				}
			}
			got := g.Median3()
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					want := g.Pix[y*w+x]
					if x > 0 && y > 0 && x < w-1 && y < h-1 && w >= 3 && h >= 3 {
						var win []byte
						for dy := -1; dy <= 1; dy++ {
							for dx := -1; dx <= 1; dx++ {
								win = append(win, g.Pix[(y+dy)*w+x+dx])
							}
						}
						slices.Sort(win)
						want = win[4]
					}
					if got.Pix[y*w+x] != want {
						t.Fatalf("%d×%d pattern %d: median3 at (%d,%d) = %d, want %d", w, h, pattern, x, y, got.Pix[y*w+x], want)
					}
				}
			}
		}
	}
}

func BenchmarkMedian3(b *testing.B) {
	g := noise(1000, 1000, 1)
	b.SetBytes(int64(len(g.Pix)))
	for b.Loop() {
		g.Median3()
	}
}

// morph3 matches a plain 3×3 minimum or maximum of each window; the first and
// last rows are copied, the first and last columns take the vertical 3×1 window.
func TestMorph3MatchesWindow(t *testing.T) {
	for i, size := range [][2]int{{2, 2}, {3, 3}, {5, 4}, {31, 17}} {
		w, h := size[0], size[1]
		g := noise(w, h, uint64(5+i))
		for _, dark := range []bool{true, false} {
			got := g.Morph3(dark)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					want := g.Pix[y*w+x]
					if y > 0 && y < h-1 && w >= 3 && h >= 3 {
						for dy := -1; dy <= 1; dy++ {
							for dx := -1; dx <= 1; dx++ {
								if x+dx < 0 || x+dx >= w || (dx != 0 && (x == 0 || x == w-1)) {
									continue
								}
								v := g.Pix[(y+dy)*w+x+dx]
								if dark {
									want = min(want, v)
								} else {
									want = max(want, v)
								}
							}
						}
					}
					if got.Pix[y*w+x] != want {
						t.Fatalf("%d×%d dark=%v: morph3 at (%d,%d) = %d, want %d", w, h, dark, x, y, got.Pix[y*w+x], want)
					}
				}
			}
		}
	}
}

func BenchmarkMorph3(b *testing.B) {
	g := noise(1000, 1000, 1)
	b.SetBytes(int64(len(g.Pix)))
	for b.Loop() {
		g.Morph3(false)
	}
}

// boxBlur matches the rounded mean of each (2r+1)² window, with the image's edge
// pixels repeated outside it.
func TestBoxBlurMatchesWindow(t *testing.T) {
	for i, size := range [][2]int{{1, 1}, {2, 7}, {9, 4}, {40, 23}} {
		w, h := size[0], size[1]
		g := noise(w, h, uint64(11+i))
		for _, r := range []int{1, 2, 5} {
			got := g.BoxBlur(r)
			n := uint32(2*r + 1)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					var sum uint32
					for dy := -r; dy <= r; dy++ {
						for dx := -r; dx <= r; dx++ {
							sum += uint32(g.Pix[min(max(y+dy, 0), h-1)*w+min(max(x+dx, 0), w-1)])
						}
					}
					if want := byte((sum + n*n/2) / (n * n)); got.Pix[y*w+x] != want {
						t.Fatalf("%d×%d r=%d: boxBlur at (%d,%d) = %d, want %d", w, h, r, x, y, got.Pix[y*w+x], want)
					}
				}
			}
		}
	}
}

func BenchmarkBoxBlur2(b *testing.B) {
	g := noise(2481, 3508, 1) // a 300-dpi A4 page
	b.SetBytes(int64(len(g.Pix)))
	for b.Loop() {
		g.BoxBlur(2)
	}
}

func TestMorphAndBoxBlur(t *testing.T) {
	g := New(5, 5)
	for i := range g.Pix {
		g.Pix[i] = 200
	}
	g.Pix[12] = 10 // one dark pixel in the middle
	dark := g.Morph3(true)
	n := 0
	for _, v := range dark.Pix {
		if v == 10 {
			n++
		}
	}
	if n != 9 {
		t.Errorf("min filter spread the dark pixel to %d pixels, want 9", n)
	}
	if light := g.Morph3(false); light.Pix[12] != 200 {
		t.Errorf("max filter kept the dark pixel: %d", light.Pix[12])
	}
	b := g.BoxBlur(1)
	if want := byte((8*200 + 10 + 4) / 9); b.Pix[12] != want || b.Pix[6] != want {
		t.Errorf("box blur centre %d, neighbour %d; want %d", b.Pix[12], b.Pix[6], want)
	}
	if b.Pix[0] != 200 {
		t.Errorf("box blur corner %d, want 200 (edge pixels repeat)", b.Pix[0])
	}
}

// Flattening removes a lighting gradient: a one-pixel checkerboard of dark (40%) and
// light pixels lit from 60 to 250 across the frame comes out with the same two levels
// everywhere, away from the box's reach of the edges.
func TestFlattenedEvensOutLighting(t *testing.T) {
	const w, h, r = 200, 60, 8
	g := New(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			light := 60 + 190*x/(w-1)
			v := light
			if (x+y)%2 == 0 {
				v = light * 4 / 10
			}
			g.Pix[y*w+x] = byte(v)
		}
	}
	f := g.Flattened(r)
	lo, hi := [2]int{255, 255}, [2]int{0, 0} // min and max of dark, light pixels
	for y := r; y < h-r; y++ {
		for x := r; x < w-r; x++ {
			v, i := int(f.Pix[y*w+x]), 1
			if (x+y)%2 == 0 {
				i = 0
			}
			lo[i], hi[i] = min(lo[i], v), max(hi[i], v)
		}
	}
	if hi[0]-lo[0] > 12 || hi[1]-lo[1] > 12 || hi[0] >= lo[1] {
		t.Errorf("flattened dark %d..%d, light %d..%d: want two narrow, separate bands", lo[0], hi[0], lo[1], hi[1])
	}
	if gd, gl := int(g.Pix[(h/2)*w+r+1]), int(g.Pix[(h/2)*w+w-r-1]); gl-gd < 100 {
		t.Fatalf("test image: the gradient is too weak (%d..%d)", gd, gl)
	}
}
