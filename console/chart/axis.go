package chart

import (
	"math"
	"strings"
)

// axis is a value scale: the range drawn and the tick values on it.
type axis struct {
	lo, hi float64
	step   float64
	ticks  []float64
	dec    int // decimals needed to print any tick exactly
}

// maxTicks bounds the tick count; with steps of 1, 2, 2.5, 5 × 10^n the first
// step that gives at most 6 ticks usually gives 4–6, which reads well in a
// small chart.
const maxTicks = 6

var mantissas = []float64{1, 2, 2.5, 5}

// niceAxis picks the smallest "nice" step (1, 2, 2.5 or 5 × 10^n) giving at
// most maxTicks ticks over [lo, hi]. Ends not fixed by the caller are widened
// to the next tick so bars and lines end on a grid line; fixed ends are kept
// exactly and only ticks inside them are drawn.
func niceAxis(lo, hi float64, fixLo, fixHi bool) axis {
	if !(hi > lo) {
		hi = lo + 1
	}
	span := hi - lo
	if math.IsInf(span, 0) || math.IsNaN(span) { // absurd data: no ticks rather than a hang
		return axis{lo: lo, hi: hi, step: span}
	}
	for e := math.Floor(math.Log10(span)) - 2; ; e++ {
		for _, m := range mantissas {
			// Scale by an exact power of ten in the right direction so that
			// e.g. 0.1 × 3 prints as 0.3 rather than 0.30000000000000004.
			val := func(k float64) float64 {
				if e < 0 {
					return k * m / math.Pow(10, -e)
				}
				return k * m * math.Pow(10, e)
			}
			step := val(1)
			const eps = 1e-9
			first := math.Ceil(lo/step - eps)
			last := math.Floor(hi/step + eps)
			if !fixLo {
				first = math.Floor(lo/step + eps)
			}
			if !fixHi {
				last = math.Ceil(hi/step - eps)
			}
			if last-first+1 > maxTicks {
				continue
			}
			a := axis{lo: lo, hi: hi, step: step, dec: decimals(step)}
			if !fixLo {
				a.lo = val(first)
			}
			if !fixHi {
				a.hi = val(last)
			}
			for i := 0.0; first+i <= last && i < maxTicks; i++ { // i, not k++: k may exceed 2^53
				a.ticks = append(a.ticks, val(first+i))
			}
			return a
		}
	}
}

// decimals is the number of decimals needed to print multiples of step.
func decimals(step float64) int {
	for d := 0; d < 12; d++ {
		x := step * math.Pow(10, float64(d))
		if math.Abs(x-math.Round(x)) < 1e-6 {
			return d
		}
	}
	return 12
}

// tickLabel formats a tick value plus the unit: with the axis' precision to
// avoid float noise, then trailing zeros dropped so whole numbers read "1",
// not "1.0".
func (a axis) tickLabel(v float64, unit string) string {
	s := fixed(v, a.dec)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + unit
}

// pos maps a value to a pixel coordinate between p0 (at lo) and p1 (at hi),
// clamping out-of-range values to the axis ends.
func (a axis) pos(v, p0, p1 float64) float64 {
	v = math.Max(a.lo, math.Min(a.hi, v))
	return p0 + (v-a.lo)/(a.hi-a.lo)*(p1-p0)
}

// base is where bars start: zero, or the nearest axis end if zero is outside
// a caller-fixed range.
func (a axis) base() float64 { return math.Max(a.lo, math.Min(a.hi, 0)) }

// widest returns the estimated width of the widest tick label.
func (a axis) widest(unit string) float64 {
	w := 0.0
	for _, t := range a.ticks {
		w = math.Max(w, textWidth(a.tickLabel(t, unit), fontSize))
	}
	return w
}

// valueAxisY draws horizontal grid lines with tick labels at the left, used by
// Bar and Line (value axis vertical).
func (c *canvas) valueAxisY(a axis, unit string, x0, x1, y0, y1 float64) {
	c.printf(`<g class="grid" stroke="%s" stroke-width="1" shape-rendering="crispEdges">`, colGrid)
	for _, t := range a.ticks {
		y := a.pos(t, y1, y0)
		c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(x0), num(y), num(x1), num(y))
	}
	c.b.WriteString("</g>\n")
	c.printf(`<g class="ticks" fill="%s" text-anchor="end">`, colMuted)
	for _, t := range a.ticks {
		c.text(x0-6, a.pos(t, y1, y0)+4, "", a.tickLabel(t, unit), "")
	}
	c.b.WriteString("</g>\n")
}

// valueAxisX draws vertical grid lines with tick labels below, used by HBar.
func (c *canvas) valueAxisX(a axis, unit string, x0, x1, y0, y1 float64) {
	c.printf(`<g class="grid" stroke="%s" stroke-width="1" shape-rendering="crispEdges">`, colGrid)
	for _, t := range a.ticks {
		x := a.pos(t, x0, x1)
		c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(x), num(y0), num(x), num(y1))
	}
	c.b.WriteString("</g>\n")
	c.printf(`<g class="ticks" fill="%s" text-anchor="middle">`, colMuted)
	for _, t := range a.ticks {
		c.text(a.pos(t, x0, x1), y1+16, "", a.tickLabel(t, unit), "")
	}
	c.b.WriteString("</g>\n")
}

// baseline draws the zero line (or the axis start when zero is out of range)
// darker than the grid, as the reference bars grow from.
func (c *canvas) baseline(x1, y1, x2, y2 float64) {
	c.printf(`<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1" shape-rendering="crispEdges"/>`+"\n",
		num(x1), num(y1), num(x2), num(y2), colAxis)
}
