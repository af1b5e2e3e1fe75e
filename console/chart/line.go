package chart

import (
	"html/template"
	"math"
	"strings"
)

// Line draws one polyline with point markers per series, categories evenly
// spaced along x. A NaN value leaves a gap: the line is split into separate
// polylines rather than bridging a period with no data. Unlike bars, the value
// axis is fitted to the data and need not include zero (set Min to force it).
func Line(s Spec) template.HTML {
	p := prepare(s)
	p.Stacked = false
	if !p.hasData() {
		return empty(p)
	}
	hd := layoutHeader(p)
	ax := niceAxis(p.valueRange(false))

	n := float64(len(p.Categories))
	x0 := 8 + ax.widest(p.Unit) + 6
	x1 := p.w - 12
	y0 := hd.top + 8
	y1 := p.h - 26
	h := p.h
	if y1-y0 < 60 {
		y1 = y0 + 60
		h = y1 + 26
	}
	slot := (x1 - x0) / n
	r := 3.5
	if slot < 10 { // dense series: smaller dots so the line stays readable
		r = 2
	}

	var c canvas
	c.open(p, p.w, h)
	c.header(p, hd)
	c.valueAxisY(ax, p.Unit, x0, x1, y0, y1)
	if ax.lo < 0 && ax.hi > 0 {
		y := ax.pos(0, y1, y0)
		c.baseline(x0, y, x1, y)
	}
	if t := p.Target; t != nil && *t >= ax.lo && *t <= ax.hi {
		y := ax.pos(*t, y1, y0)
		c.target(p, x0, y, x1, y, x1, y-4, "end")
	}

	xv := func(j int) float64 { return x0 + slot*(float64(j)+0.5) }
	yv := func(v float64) float64 { return ax.pos(v, y1, y0) }
	for i, vals := range p.vals {
		c.printf(`<g class="series s%d" stroke="%s" fill="%s">`, i, Color(i), Color(i))
		var pts []string
		flush := func() {
			if len(pts) > 1 { // a lone point has no line, only its marker
				c.printf(`<polyline class="line" fill="none" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" points="%s"/>`,
					strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for j, v := range vals {
			if math.IsNaN(v) {
				flush()
				continue
			}
			pts = append(pts, num(xv(j))+","+num(yv(v)))
		}
		flush()
		for j, v := range vals {
			if math.IsNaN(v) {
				continue
			}
			// The white ring separates overlapping markers of different series.
			c.printf(`<circle class="pt" cx="%s" cy="%s" r="%s" stroke="#fff" stroke-width="1"><title>%s</title></circle>`,
				num(xv(j)), num(yv(v)), num(r), esc(tooltip(p, i, j, v)))
		}
		c.b.WriteString("</g>\n")
	}
	c.catLabels(p, x0, slot, y1+16)
	c.close()
	return c.html()
}
