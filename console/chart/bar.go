package chart

import (
	"html/template"
	"math"
)

const valueFont = 11.0 // value labels are a touch smaller than axis text

// valueLabel is a figure printed next to a bar so a printed chart (no hover)
// still carries the numbers.
type valueLabel struct {
	x, y   float64
	anchor string
	s      string
}

func (c *canvas) valueLabels(ls []valueLabel) {
	if len(ls) == 0 {
		return
	}
	c.printf(`<g class="values" fill="%s" font-size="%s">`, colText, num(valueFont))
	for _, l := range ls {
		c.text(l.x, l.y, ` text-anchor="`+l.anchor+`"`, l.s, "")
	}
	c.b.WriteString("</g>\n")
}

// fitLabel returns the value text that fits in width w: with the unit, else
// without it, else "" (no label).
func fitLabel(v float64, unit string, w float64) string {
	for _, s := range []string{Format(v) + unit, Format(v)} {
		if textWidth(s, valueFont) <= w {
			return s
		}
	}
	return ""
}

// segment is the value interval [from, to] one rect covers: from the base for
// grouped bars, from the running total for stacked ones.
type segment struct{ from, to float64 }

// segments computes every bar's interval; positives and negatives stack
// separately so a negative value never hides inside a positive stack.
func segments(p *spec, base float64) [][]segment {
	out := make([][]segment, len(p.vals))
	pos := make([]float64, len(p.Categories))
	neg := make([]float64, len(p.Categories))
	for i, v := range p.vals {
		out[i] = make([]segment, len(v))
		for j, x := range v {
			switch {
			case math.IsNaN(x):
			case !p.Stacked:
				out[i][j] = segment{base, x}
			case x >= 0:
				out[i][j] = segment{pos[j], pos[j] + x}
				pos[j] += x
			default:
				out[i][j] = segment{neg[j], neg[j] + x}
				neg[j] += x
			}
		}
	}
	return out
}

// totals returns, per category, the sum of the stack and the top of its
// positive part, for labelling stacked bars; ok is false for categories
// without any value.
func totals(p *spec) (sum, top []float64, ok []bool) {
	n := len(p.Categories)
	sum, top, ok = make([]float64, n), make([]float64, n), make([]bool, n)
	for _, v := range p.vals {
		for j, x := range v {
			if math.IsNaN(x) {
				continue
			}
			ok[j] = true
			sum[j] += x
			if x > 0 {
				top[j] += x
			}
		}
	}
	return sum, top, ok
}

// Bar draws vertical bars, one group (or stack, if Stacked) per category.
func Bar(s Spec) template.HTML {
	p := prepare(s)
	if !p.hasData() {
		return empty(p)
	}
	hd := layoutHeader(p)
	ax := niceAxis(p.valueRange(true))

	n, k := float64(len(p.Categories)), float64(len(p.Series))
	x0 := 8 + ax.widest(p.Unit) + 6
	x1 := p.w - 12
	y0 := hd.top + 14 // room for a value label above the tallest bar
	y1 := p.h - 26
	h := p.h
	if y1-y0 < 60 { // too small a Height for the header: grow rather than overlap
		y1 = y0 + 60
		h = y1 + 26
	}
	slot := (x1 - x0) / n
	var bw, gw float64 // bar width, group width
	if p.Stacked {
		bw = math.Min(slot*0.6, 56)
		gw = bw
	} else {
		bw = math.Min(slot*0.76/k, 40)
		gw = bw * k
	}
	gap := 0.0 // a hairline between neighbouring bars of a group
	if bw >= 6 && !p.Stacked && k > 1 {
		gap = 1
	}

	var c canvas
	c.open(p, p.w, h)
	c.header(p, hd)
	c.valueAxisY(ax, p.Unit, x0, x1, y0, y1)

	yv := func(v float64) float64 { return ax.pos(v, y1, y0) }
	var labels []valueLabel
	for i, segs := range segments(p, ax.base()) {
		c.printf(`<g class="series s%d" fill="%s">`, i, Color(i))
		for j, sg := range segs {
			v := p.vals[i][j]
			if math.IsNaN(v) {
				continue
			}
			x := x0 + slot*float64(j) + (slot-gw)/2
			if !p.Stacked {
				x += bw * float64(i)
			}
			ya, yb := yv(sg.from), yv(sg.to)
			top, ht := math.Min(ya, yb), math.Abs(ya-yb)
			if ht < 1 { // keep zero-height bars hoverable and visible
				top, ht = top-(1-ht)/2, 1
			}
			c.printf(`<rect class="bar" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
				num(x), num(top), num(bw-gap), num(ht), esc(tooltip(p, i, j, v)))
			if p.Stacked {
				continue
			}
			if l := fitLabel(v, p.Unit, bw); l != "" {
				if v >= 0 {
					labels = append(labels, valueLabel{x + bw/2, top - 4, "middle", l})
				} else if y := top + ht + 11; y <= y1+4 {
					labels = append(labels, valueLabel{x + bw/2, y, "middle", l})
				}
			}
		}
		c.b.WriteString("</g>\n")
	}
	if p.Stacked { // label the stack total (Stacked implies ≥2 series)
		sum, up, ok := totals(p)
		for j := range sum {
			if !ok[j] {
				continue
			}
			if l := fitLabel(sum[j], p.Unit, bw+8); l != "" {
				labels = append(labels, valueLabel{x0 + slot*(float64(j)+0.5), yv(up[j]) - 4, "middle", l})
			}
		}
	}
	yb := yv(ax.base())
	c.baseline(x0, yb, x1, yb)
	c.valueLabels(labels)
	if t := p.Target; t != nil && *t >= ax.lo && *t <= ax.hi {
		y := yv(*t)
		c.target(p, x0, y, x1, y, x1, y-4, "end")
	}
	c.catLabels(p, x0, slot, y1+16)
	c.close()
	return c.html()
}

// HBar draws horizontal bars, one row per category, with the category names
// at the left; suited to long names such as department titles. Unless Height
// is set, the chart grows with the number of rows.
func HBar(s Spec) template.HTML {
	p := prepare(s)
	if !p.hasData() {
		return empty(p)
	}
	hd := layoutHeader(p)
	ax := niceAxis(p.valueRange(true))
	n, k := float64(len(p.Categories)), float64(len(p.Series))

	longest := 0.0
	for _, c := range p.Categories {
		longest = math.Max(longest, textWidth(c, fontSize))
	}
	labW := math.Min(longest, p.w*0.35)
	x0 := 8 + labW + 8

	// The right margin holds the last tick label's overhang and the value
	// labels printed after each bar.
	right := math.Max(12, textWidth(ax.tickLabel(ax.hi, p.Unit), fontSize)/2+4)
	widest := 0.0 // grouped: a label per bar; stacked: the total per row
	if p.Stacked {
		sum, _, ok := totals(p)
		for j, v := range sum {
			if ok[j] {
				widest = math.Max(widest, textWidth(Format(v)+p.Unit, valueFont))
			}
		}
	} else {
		for _, v := range p.vals {
			for _, x := range v {
				if !math.IsNaN(x) && x >= 0 {
					widest = math.Max(widest, textWidth(Format(x)+p.Unit, valueFont))
				}
			}
		}
	}
	right = math.Max(right, widest+8)
	right = math.Min(right, p.w*0.2)
	x1 := p.w - right

	y0 := hd.top + 4
	if p.Target != nil {
		y0 += 14 // the target label sits above the plot
	}
	rowH := 26.0
	if !p.Stacked && k > 1 {
		rowH = math.Max(26, 12*k+8)
	}
	h := y0 + rowH*n + 28
	if p.fixed {
		h = p.h
		rowH = math.Max(4, (h-28-y0)/n)
		h = math.Max(h, y0+rowH*n+28)
	}
	y1 := y0 + rowH*n

	var bh, gh float64 // bar height, group height
	if p.Stacked || k == 1 {
		bh = math.Min(rowH*0.68, 20)
		gh = bh
	} else {
		bh = math.Min(rowH*0.8/k, 16)
		gh = bh * k
	}

	var c canvas
	c.open(p, p.w, h)
	c.header(p, hd)
	c.valueAxisX(ax, p.Unit, x0, x1, y0, y1)

	xv := func(v float64) float64 { return ax.pos(v, x0, x1) }
	var labels []valueLabel
	for i, segs := range segments(p, ax.base()) {
		c.printf(`<g class="series s%d" fill="%s">`, i, Color(i))
		for j, sg := range segs {
			v := p.vals[i][j]
			if math.IsNaN(v) {
				continue
			}
			y := y0 + rowH*float64(j) + (rowH-gh)/2
			if !p.Stacked {
				y += bh * float64(i)
			}
			xa, xb := xv(sg.from), xv(sg.to)
			left, wd := math.Min(xa, xb), math.Abs(xa-xb)
			if wd < 1 {
				left, wd = left-(1-wd)/2, 1
			}
			gap := 0.0
			if !p.Stacked && k > 1 && bh >= 6 {
				gap = 1
			}
			c.printf(`<rect class="bar" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
				num(left), num(y), num(wd), num(bh-gap), esc(tooltip(p, i, j, v)))
			if p.Stacked || bh < 9 {
				continue
			}
			l := Format(v) + p.Unit
			ly := y + bh/2 + 4
			if v >= 0 {
				labels = append(labels, valueLabel{left + wd + 4, ly, "start", l})
			} else if left-4-textWidth(l, valueFont) >= x0 {
				labels = append(labels, valueLabel{left - 4, ly, "end", l})
			}
		}
		c.b.WriteString("</g>\n")
	}
	if p.Stacked {
		sum, up, ok := totals(p)
		for j := range sum {
			if ok[j] {
				labels = append(labels, valueLabel{xv(up[j]) + 4, y0 + rowH*(float64(j)+0.5) + 4, "start", Format(sum[j]) + p.Unit})
			}
		}
	}
	xb := xv(ax.base())
	c.baseline(xb, y0, xb, y1)
	c.valueLabels(labels)
	if t := p.Target; t != nil && *t >= ax.lo && *t <= ax.hi {
		x := xv(*t)
		tw := math.Min(textWidth(targetText(p), valueFont), p.w/2)
		anchor := "middle"
		switch {
		case x+tw/2 > p.w-4:
			anchor = "end"
		case x-tw/2 < 4:
			anchor = "start"
		}
		c.target(p, x, y0-4, x, y1, x, y0-8, anchor)
	}
	c.printf(`<g class="cats" fill="%s" text-anchor="end">`, colText)
	for j, cat := range p.Categories {
		c.label(x0-8, y0+rowH*(float64(j)+0.5)+4, labW, "", cat)
	}
	c.b.WriteString("</g>\n")
	c.close()
	return c.html()
}
