// Package chart draws small bar and line charts as inline SVG on the server.
//
// Why SVG rendered in Go rather than a charting library in the browser: the
// console's Content-Security-Policy forbids scripts (script-src 'none'), so no
// client-side library can run. Plain SVG with presentation attributes needs no
// script and no external stylesheet, keeps cxflow a single binary with no asset
// pipeline, prints cleanly as vector graphics, and still shows exact figures on
// hover through <title> children.
//
// Functions return template.HTML so pages can embed the result directly. That
// is safe only because every caller-supplied string (title, labels, series
// names, unit) is XML-escaped here; never build output by other means.
package chart

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Series is one named sequence of values, one per category.
type Series struct {
	Name   string
	Values []float64 // one per category; math.NaN() = no value (gap in a line, no bar)
}

// Spec describes a chart. The zero value of every optional field is usable.
type Spec struct {
	Title       string // accessible name (aria-label / <title>); also drawn above the plot when Caption is true
	Caption     bool
	Categories  []string // x-axis labels (for HBar: the row labels)
	Series      []Series
	Unit        string   // appended to values in tooltips and axis ticks, e.g. "%", " h", "件"
	Min, Max    *float64 // optional fixed value axis range; otherwise from data (bars always include 0)
	Target      *float64 // optional reference line (vertical for HBar), drawn dashed
	TargetLabel string   // label of the Target line; defaults to the formatted target value
	Width       int      // viewBox width; default 640
	Height      int      // viewBox height; default 280 (HBar: grows with the number of rows)
	Stacked     bool     // Bar/HBar only
	Empty       string   // text shown when there is no data at all (default "—")
}

const (
	defaultWidth  = 640
	defaultHeight = 280
	fontFamily    = "system-ui, 'Noto Sans CJK SC', sans-serif"
	fontSize      = 12.0

	colText   = "#333"
	colMuted  = "#666"
	colGrid   = "#e3e3e3"
	colAxis   = "#8a8a8a"
	colTarget = "#b3261e"
)

// palette is the Okabe–Ito colour-blind-safe set without its yellow and black
// (too faint on white / indistinguishable from the axis text).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"}

// Color returns the colour used for series i, so a page can match it (e.g. in
// an HTML table next to the chart). It cycles through the palette.
func Color(i int) string {
	n := len(palette)
	return palette[(i%n+n)%n]
}

// spec is a Spec with defaults applied and values normalised so renderers
// never have to check lengths or non-finite numbers.
type spec struct {
	Spec
	w, h  float64
	fixed bool        // Height was given by the caller
	vals  [][]float64 // [series][category]; NaN = no value
}

func prepare(s Spec) *spec {
	p := &spec{Spec: s, w: defaultWidth, h: defaultHeight}
	if s.Width > 0 {
		p.w = float64(s.Width)
	}
	if s.Height > 0 {
		p.h = float64(s.Height)
		p.fixed = true
	}
	if len(s.Series) < 2 {
		p.Stacked = false // one series stacks onto nothing; draw it plainly
	}
	if p.Empty == "" {
		p.Empty = "—"
	}
	n := len(s.Categories)
	p.vals = make([][]float64, len(s.Series))
	for i, se := range s.Series {
		v := make([]float64, n)
		for j := range v {
			v[j] = math.NaN()
			if j < len(se.Values) && !math.IsInf(se.Values[j], 0) {
				v[j] = se.Values[j]
			}
		}
		p.vals[i] = v
	}
	if p.Min != nil && !finite(*p.Min) {
		p.Min = nil
	}
	if p.Max != nil && !finite(*p.Max) {
		p.Max = nil
	}
	// A fixed range that is empty or inverted is unusable; fall back to data.
	if p.Min != nil && p.Max != nil && !(*p.Max > *p.Min) {
		p.Min, p.Max = nil, nil
	}
	if p.Target != nil && !finite(*p.Target) {
		p.Target = nil
	}
	return p
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func (p *spec) hasData() bool {
	for _, v := range p.vals {
		for _, x := range v {
			if !math.IsNaN(x) {
				return true
			}
		}
	}
	return false
}

// valueRange returns the data extent the value axis must show, and whether
// each end is fixed by the caller (fixed ends are not rounded to a tick).
func (p *spec) valueRange(includeZero bool) (lo, hi float64, fixLo, fixHi bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	see := func(v float64) {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if p.Stacked {
		for j := range p.Categories {
			pos, neg := 0.0, 0.0
			for _, v := range p.vals {
				switch x := v[j]; {
				case x > 0:
					pos += x
				case x < 0:
					neg += x
				}
			}
			see(pos)
			see(neg)
		}
	} else {
		for _, v := range p.vals {
			for _, x := range v {
				if !math.IsNaN(x) {
					see(x)
				}
			}
		}
	}
	if p.Target != nil {
		see(*p.Target) // keep the reference line visible
	}
	if includeZero {
		see(0)
	}
	if lo == hi { // a single value (or all zero): anchor the axis at zero
		see(0)
		if lo == hi {
			hi = lo + 1
		}
	}
	if p.Min != nil {
		lo, fixLo = *p.Min, true
	}
	if p.Max != nil {
		hi, fixHi = *p.Max, true
	}
	if hi <= lo { // only one end fixed and the data lie beyond it
		if fixLo {
			hi, fixHi = lo+1, false
		} else {
			lo, fixLo = hi-1, false
		}
	}
	return lo, hi, fixLo, fixHi
}

// ---- text ---------------------------------------------------------------

// esc XML-escapes s for use in both element content and quoted attributes.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // strings.Builder never fails
	return b.String()
}

// isWide reports runes that East Asian fonts draw at full width.
func isWide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F, // Hangul Jamo
		r >= 0x2E80 && r <= 0x303E, // CJK radicals, punctuation
		r >= 0x3041 && r <= 0x33FF, // kana, CJK symbols
		r >= 0x3400 && r <= 0x4DBF, // CJK ext. A
		r >= 0x4E00 && r <= 0x9FFF, // CJK unified
		r >= 0xA000 && r <= 0xA4CF, // Yi
		r >= 0xAC00 && r <= 0xD7A3, // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF, // CJK compatibility
		r >= 0xFE30 && r <= 0xFE4F, // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60, // fullwidth forms
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1FAFF, // emoji
		r >= 0x20000 && r <= 0x3FFFD: // CJK ext. B and beyond
		return true
	}
	return false
}

// textWidth estimates the rendered width of s at the given font size. There
// is no font metrics on the server, so this is deliberately a little generous
// for Latin text (0.55 em) and counts CJK as a full em.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if isWide(r) {
			w += 1.0
		} else {
			w += 0.55
		}
	}
	return w * size
}

// truncate shortens s with "…" so its estimated width fits max. It reports
// whether s was cut, so the caller can keep the full text in a <title>.
func truncate(s string, max, size float64) (string, bool) {
	if textWidth(s, size) <= max {
		return s, false
	}
	room := max - textWidth("…", size)
	var b strings.Builder
	w := 0.0
	for _, r := range s {
		rw := textWidth(string(r), size)
		if w+rw > room {
			break
		}
		w += rw
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ") + "…", true
}

// ---- numbers ------------------------------------------------------------

// num formats a coordinate with fixed precision so output is deterministic.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

// Format renders a value the way the charts do in tooltips and bar labels:
// integers without decimals, others with one decimal (two below 0.1), and
// thousands grouped with commas.
func Format(v float64) string {
	r := math.Round(v*10) / 10
	switch {
	case r == 0 && v != 0 && math.Abs(v) >= 0.005:
		return fixed(v, 2)
	case r == math.Trunc(r):
		return fixed(r, 0)
	default:
		return fixed(r, 1)
	}
}

// fixed formats v with d decimals and groups thousands.
func fixed(v float64, d int) string {
	s := strconv.FormatFloat(v, 'f', d, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if len(intPart) > 3 {
		var b strings.Builder
		for i, c := range intPart {
			if i > 0 && (len(intPart)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		intPart = b.String()
	}
	s = intPart
	if hasFrac {
		s += "." + frac
	}
	if neg && strings.Trim(s, "0.,") != "" {
		s = "-" + s
	}
	return s
}

// ---- svg writer ---------------------------------------------------------

type canvas struct {
	b strings.Builder
}

func (c *canvas) printf(format string, a ...any) { fmt.Fprintf(&c.b, format, a...) }

func (c *canvas) html() template.HTML { return template.HTML(c.b.String()) }

// open writes the root element. Fonts and default text colour are set once
// here so children stay small.
func (c *canvas) open(p *spec, w, h float64) {
	c.printf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" role="img" aria-label="%s" class="chart" font-family="%s" font-size="%s">`,
		num(w), num(h), esc(p.Title), fontFamily, num(fontSize))
	c.printf("<title>%s</title>\n", esc(p.Title))
}

func (c *canvas) close() { c.b.WriteString("</svg>") }

// text writes a <text> element; when full differs from s (s was truncated)
// the full text is kept in a <title> so it shows on hover.
func (c *canvas) text(x, y float64, attrs, s, full string) {
	c.printf(`<text x="%s" y="%s"%s>`, num(x), num(y), attrs)
	if full != "" && full != s {
		c.printf("<title>%s</title>", esc(full))
	}
	c.printf("%s</text>", esc(s))
}

// label writes s truncated to max width, keeping the full text as a tooltip.
func (c *canvas) label(x, y, max float64, attrs, s string) {
	t, _ := truncate(s, max, fontSize)
	c.text(x, y, attrs, t, s)
}

// tooltip is the hover text of one bar or point: "series · category: value unit".
func tooltip(p *spec, si, ci int, v float64) string {
	s := p.Categories[ci] + ": " + Format(v) + p.Unit
	if name := p.Series[si].Name; name != "" {
		s = name + " · " + s
	}
	return s
}

// empty renders the no-data state: a short strip with the Empty text.
func empty(p *spec) template.HTML {
	var c canvas
	h := 48.0
	y := 29.0
	if p.Caption && p.Title != "" {
		h += 22
		y += 22
	}
	c.open(p, p.w, h)
	if p.Caption && p.Title != "" {
		c.caption(p)
	}
	c.text(p.w/2, y, ` class="empty" text-anchor="middle" fill="`+colMuted+`"`, p.Empty, "")
	c.close()
	return c.html()
}

// ---- header: caption and legend -----------------------------------------

type legendItem struct {
	x, y float64
	idx  int
	name string
}

const (
	legendRow  = 18.0
	legendName = 180.0 // widest legend entry text before truncation
)

// header is the laid-out caption and legend; top is where the plot may start.
type header struct {
	top    float64
	legend []legendItem
}

// layoutHeader places legend entries left to right, wrapping to new rows, so
// the plot's top is known before anything is written.
func layoutHeader(p *spec) header {
	h := header{top: 8}
	if p.Caption && p.Title != "" {
		h.top += 22
	}
	if len(p.Series) > 1 {
		x, y := 8.0, h.top
		for i, s := range p.Series {
			t, _ := truncate(s.Name, legendName, fontSize)
			w := 14 + textWidth(t, fontSize) + 16
			if x > 8 && x+w > p.w-8 {
				x, y = 8, y+legendRow
			}
			h.legend = append(h.legend, legendItem{x: x, y: y, idx: i, name: s.Name})
			x += w
		}
		h.top = y + legendRow + 4
	}
	return h
}

func (c *canvas) caption(p *spec) {
	c.label(8, 22, p.w-16, ` class="caption" font-size="14" font-weight="600" fill="#222"`, p.Title)
	c.b.WriteString("\n")
}

func (c *canvas) header(p *spec, h header) {
	if p.Caption && p.Title != "" {
		c.caption(p)
	}
	if len(h.legend) == 0 {
		return
	}
	c.printf(`<g class="legend" fill="%s">`, colText)
	for _, it := range h.legend {
		c.printf(`<rect class="s%d" x="%s" y="%s" width="10" height="10" rx="2" fill="%s"/>`,
			it.idx, num(it.x), num(it.y+2), Color(it.idx))
		c.label(it.x+14, it.y+11, legendName, "", it.name)
	}
	c.b.WriteString("</g>\n")
}

// ---- reference line -----------------------------------------------------

func targetText(p *spec) string {
	if p.TargetLabel != "" {
		return p.TargetLabel
	}
	return Format(*p.Target) + p.Unit
}

// target draws the dashed reference line from (x1,y1) to (x2,y2) with its
// label at (lx,ly).
func (c *canvas) target(p *spec, x1, y1, x2, y2, lx, ly float64, anchor string) {
	t := targetText(p)
	c.printf(`<g class="target" stroke="%s" fill="%s">`, colTarget, colTarget)
	c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke-width="1.5" stroke-dasharray="6 4"><title>%s</title></line>`,
		num(x1), num(y1), num(x2), num(y2), esc(t+" ("+Format(*p.Target)+p.Unit+")"))
	// A white halo keeps the label legible where it crosses bars or lines.
	c.label(lx, ly, p.w/2, ` stroke="#fff" stroke-width="3" paint-order="stroke" text-anchor="`+anchor+`" font-size="11"`, t)
	c.b.WriteString("</g>\n")
}

// ---- category labels along x --------------------------------------------

// catLabels writes category labels centred under n equal slots starting at x0.
// When slots are too narrow even for a short label, only every k-th label is
// drawn (with k slots of room) instead of a row of lone ellipses.
func (c *canvas) catLabels(p *spec, x0, slot, y float64) {
	longest := 0.0
	for _, s := range p.Categories {
		longest = math.Max(longest, textWidth(s, fontSize))
	}
	need := math.Min(longest, 4*fontSize) + 4 // room for ~4 CJK chars
	k := 1
	for slot*float64(k) < need && k < len(p.Categories) {
		k++
	}
	c.printf(`<g class="cats" fill="%s" text-anchor="middle">`, colText)
	for j := 0; j < len(p.Categories); j += k {
		c.label(x0+slot*(float64(j)+0.5), y, slot*float64(k)-4, "", p.Categories[j])
	}
	c.b.WriteString("</g>\n")
}
