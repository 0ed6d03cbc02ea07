package station

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// TestDecisionColours checks the page's decision colours (app.css :root):
// text on each panel meets WCAG AA contrast, and the accept, check and
// do-not-accept panels stay far apart for a deuteranope (the issue: red and
// green panels looked alike), simulated with Machado et al. (2009) at full
// severity. Shape, border pattern and icon differ too (browser test).
func TestDecisionColours(t *testing.T) {
	css, err := webFS.ReadFile("web/app.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z0-9]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	col := func(name string) [3]float64 {
		h, ok := vars[name]
		if !ok {
			t.Fatalf("app.css has no --%s colour", name)
		}
		var c [3]float64
		for i := range c {
			v, _ := strconv.ParseUint(h[1+2*i:3+2*i], 16, 8)
			c[i] = float64(v) / 255
		}
		return c
	}
	white, black, ink := [3]float64{1, 1, 1}, [3]float64{0, 0, 0}, [3]float64{0x22 / 255.0, 0x22 / 255.0, 0x22 / 255.0}
	for _, p := range []struct {
		bg   string
		text [3]float64
	}{{"accept", white}, {"check", black}, {"stop", white}, {"stop2", white}, {"neutral", ink}} {
		if r := contrast(col(p.bg), p.text); r < 4.5 {
			t.Errorf("text on --%s has contrast %.1f:1, under WCAG AA 4.5:1", p.bg, r)
		}
	}
	names := []string{"accept", "check", "stop", "neutral"}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			a, b := deutan(col(names[i])), deutan(col(names[j]))
			if d := deltaE(a, b); d < 25 {
				t.Errorf("--%s and --%s are only ΔE %.0f apart for a deuteranope (want ≥ 25)", names[i], names[j], d)
			}
		}
	}
}

func linear(c float64) float64 {
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

func luminance(c [3]float64) float64 {
	return 0.2126*linear(c[0]) + 0.7152*linear(c[1]) + 0.0722*linear(c[2])
}

func contrast(a, b [3]float64) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// deutan simulates deuteranopia (Machado, Oliveira and Fernandes 2009,
// severity 1.0) and returns linear RGB.
func deutan(c [3]float64) [3]float64 {
	m := [3][3]float64{{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}}
	l := [3]float64{linear(c[0]), linear(c[1]), linear(c[2])}
	var out [3]float64
	for i := range out {
		out[i] = math.Min(1, math.Max(0, m[i][0]*l[0]+m[i][1]*l[1]+m[i][2]*l[2]))
	}
	return out
}

// deltaE is CIE76 colour difference between two linear-RGB colours.
func deltaE(a, b [3]float64) float64 {
	la, lb := lab(a), lab(b)
	return math.Sqrt((la[0]-lb[0])*(la[0]-lb[0]) + (la[1]-lb[1])*(la[1]-lb[1]) + (la[2]-lb[2])*(la[2]-lb[2]))
}

func lab(l [3]float64) [3]float64 {
	x := (0.4124*l[0] + 0.3576*l[1] + 0.1805*l[2]) / 0.95047
	y := 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	z := (0.0193*l[0] + 0.1192*l[1] + 0.9505*l[2]) / 1.08883
	f := func(t float64) float64 {
		if t > 0.008856 {
			return math.Cbrt(t)
		}
		return 7.787*t + 16.0/116
	}
	return [3]float64{116*f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))}
}
