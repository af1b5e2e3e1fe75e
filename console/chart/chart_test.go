package chart

import (
	"encoding/xml"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// node is a parsed XML element, enough to query the generated SVG.
type node struct {
	name string
	attr map[string]string
	text string // direct character data
	kids []*node
}

// parse decodes out strictly as XML; a failure means the markup is broken.
func parse(t *testing.T, out template.HTML) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(out)))
	d.Strict = true
	root := &node{}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "output must be well-formed XML")
		top := stack[len(stack)-1]
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &node{name: tk.Name.Local, attr: map[string]string{}}
			for _, a := range tk.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text += string(tk)
		}
	}
	require.Len(t, stack, 1, "unbalanced elements")
	require.Len(t, root.kids, 1, "exactly one root element")
	return root.kids[0]
}

// all returns the descendants named name whose class attribute contains class
// (any class if class is "").
func (n *node) all(name, class string) []*node {
	var out []*node
	var walk func(*node)
	walk = func(m *node) {
		for _, k := range m.kids {
			if k.name == name && (class == "" || hasClass(k, class)) {
				out = append(out, k)
			}
			walk(k)
		}
	}
	walk(n)
	return out
}

func hasClass(n *node, class string) bool {
	for _, c := range strings.Fields(n.attr["class"]) {
		if c == class {
			return true
		}
	}
	return false
}

// title returns the text of n's <title> child, or "".
func (n *node) title() string {
	for _, k := range n.kids {
		if k.name == "title" {
			return k.text
		}
	}
	return ""
}

func fptr(v float64) *float64 { return &v }

var nan = math.NaN()

func sampleSpec() Spec {
	return Spec{
		Title:      "SLA 达标率",
		Caption:    true,
		Categories: []string{"一月", "二月", "三月", "四月", "五月", "六月"},
		Series: []Series{
			{Name: "本季度", Values: []float64{92, 88.5, nan, 95, 91, 97}},
			{Name: "上季度", Values: []float64{85, 87, 90, 89, 93}},
		},
		Unit:        "%",
		Min:         fptr(0),
		Max:         fptr(100),
		Target:      fptr(90),
		TargetLabel: "目标 90%",
	}
}

type renderer struct {
	name string
	fn   func(Spec) template.HTML
}

var renderers = []renderer{{"Bar", Bar}, {"HBar", HBar}, {"Line", Line}}

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi       float64
		fixLo, fixHi bool
		want         []float64
	}{
		{0, 100, true, true, []float64{0, 20, 40, 60, 80, 100}},
		{0, 7, false, false, []float64{0, 2, 4, 6, 8}},
		{0, 1, false, false, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0, 1234, false, false, []float64{0, 250, 500, 750, 1000, 1250}},
		{-3, 5, false, false, []float64{-4, -2, 0, 2, 4, 6}},
		{85, 97, false, false, []float64{85, 87.5, 90, 92.5, 95, 97.5}},
		{0, 0.03, false, false, []float64{0, 0.01, 0.02, 0.03}},
		{0, 48000, false, false, []float64{0, 10000, 20000, 30000, 40000, 50000}},
		{0, 13, false, false, []float64{0, 5, 10, 15}},
		{0, 95, true, false, []float64{0, 20, 40, 60, 80, 100}},
	}
	for _, c := range cases {
		a := niceAxis(c.lo, c.hi, c.fixLo, c.fixHi)
		require.InDeltaSlice(t, c.want, a.ticks, 1e-12, "range %v..%v", c.lo, c.hi)
		require.Equal(t, c.want[0], a.lo)
		require.Equal(t, c.want[len(c.want)-1], a.hi)
	}

	// Tick labels print exactly, without float noise, and with the unit.
	a := niceAxis(0, 1, false, false)
	require.Equal(t, "0.6%", a.tickLabel(a.ticks[3], "%"))
	a = niceAxis(0, 1.1, false, false)
	require.Equal(t, 0.25, a.step)
	require.Equal(t, "0.75", a.tickLabel(a.ticks[3], ""))
	require.Equal(t, "1", a.tickLabel(a.ticks[4], ""), "whole ticks without decimals")
	require.Equal(t, "0", a.tickLabel(-0.0, ""))
	a = niceAxis(-3, 5, false, false)
	require.Equal(t, "-4", a.tickLabel(a.ticks[0], ""))
	a = niceAxis(0, 48000, false, false)
	require.Equal(t, "50,000 件", a.tickLabel(a.ticks[5], " 件"))

	// Property: ranges that are free to widen always get 4–6 ticks on a
	// 1/2/2.5/5 step and cover the data.
	for _, r := range [][2]float64{{0, 3}, {-17, 4}, {0.1, 0.13}, {1e6, 3.3e6}, {-250, -10}, {99, 100}, {0, 9999}} {
		a := niceAxis(r[0], r[1], false, false)
		require.GreaterOrEqual(t, len(a.ticks), 4, "%v", r)
		require.LessOrEqual(t, len(a.ticks), 6, "%v", r)
		require.LessOrEqual(t, a.lo, r[0])
		require.GreaterOrEqual(t, a.hi, r[1])
		m := a.step / math.Pow(10, math.Floor(math.Log10(a.step)+1e-9))
		require.Contains(t, []string{"1", "2", "2.5", "5"}, strconv.FormatFloat(math.Round(m*10)/10, 'f', -1, 64), "%v step %v", r, a.step)
	}
}

func TestFormat(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 5: "5", 12.34: "12.3", 12345: "12,345", -1234.5: "-1,234.5",
		1e6: "1,000,000", 0.04: "0.04", -0.001: "0", 99.96: "100", 88.5: "88.5",
	} {
		require.Equal(t, want, Format(v), "Format(%v)", v)
	}
	require.Equal(t, "0", num(-0.01))
	require.Equal(t, "12.5", num(12.49))
}

func TestTextWidthCJK(t *testing.T) {
	latin, cjk := textWidth("ab", fontSize), textWidth("质量", fontSize)
	ratio := cjk / latin
	require.True(t, ratio > 1.6 && ratio < 2.2, "CJK should be about twice as wide, got %v", ratio)

	s, cut := truncate("质量管理部售后服务中心", 5*fontSize, fontSize)
	require.True(t, cut)
	require.True(t, strings.HasSuffix(s, "…"))
	require.LessOrEqual(t, textWidth(s, fontSize), 5*fontSize)
	s, cut = truncate("物流", 5*fontSize, fontSize)
	require.False(t, cut)
	require.Equal(t, "物流", s)
}

func TestRootElement(t *testing.T) {
	for _, r := range renderers {
		for _, spec := range []Spec{sampleSpec(), {Title: "空"}} {
			root := parse(t, r.fn(spec))
			require.Equal(t, "svg", root.name, r.name)
			require.Equal(t, "100%", root.attr["width"])
			require.Equal(t, "img", root.attr["role"])
			require.Equal(t, "chart", root.attr["class"])
			require.Equal(t, spec.Title, root.attr["aria-label"])
			require.Equal(t, spec.Title, root.title())
			require.Regexp(t, `^0 0 \d+(\.\d)? \d+(\.\d)?$`, root.attr["viewBox"])
			require.Contains(t, root.attr["font-family"], "Noto Sans CJK SC")
		}
	}
}

func TestEscaping(t *testing.T) {
	const evil = `<script>&"`
	spec := Spec{
		Title:       evil,
		Caption:     true,
		Categories:  []string{evil, "a'b"},
		Series:      []Series{{Name: evil, Values: []float64{1, 2}}, {Name: "</svg><img src=x>", Values: []float64{3, 4}}},
		Unit:        `"&`,
		Target:      fptr(2),
		TargetLabel: evil,
		Empty:       evil,
	}
	for _, r := range renderers {
		for _, s := range []Spec{spec, {Title: evil, Empty: evil}} {
			out := string(r.fn(s))
			require.NotContains(t, out, "<script", r.name)
			require.NotContains(t, out, "<img", r.name)
			require.NotContains(t, out, "</svg><", r.name)
			require.Contains(t, out, "&lt;script&gt;&amp;&#34;", r.name)
			require.NotContains(t, out, "a'b", r.name) // quotes escaped too
			// And the escaped text decodes back to the original.
			root := parse(t, template.HTML(out))
			require.Equal(t, evil, root.attr["aria-label"])
			require.Equal(t, evil, root.title())
		}
	}
	// Tooltips carry the escaped series and category names and the unit.
	root := parse(t, Bar(spec))
	bars := root.all("rect", "bar")
	require.Equal(t, evil+" · "+evil+`: 1"&`, bars[0].title())
}

func TestLineGapsSplitSegments(t *testing.T) {
	spec := Spec{
		Title:      "处理时长",
		Categories: []string{"1", "2", "3", "4", "5", "6", "7"},
		Series:     []Series{{Name: "h", Values: []float64{1, 2, nan, 4, 5, nan, 7}}},
		Unit:       " h",
	}
	root := parse(t, Line(spec))
	lines := root.all("polyline", "line")
	require.Len(t, lines, 2, "a NaN splits the line; the lone last point gets no line")
	require.Len(t, strings.Fields(lines[0].attr["points"]), 2)
	require.Len(t, strings.Fields(lines[1].attr["points"]), 2)
	pts := root.all("circle", "pt")
	require.Len(t, pts, 5)
	require.Equal(t, "h · 7: 7 h", pts[4].title())

	// No gaps: one polyline through every point.
	spec.Series[0].Values = []float64{1, 2, 3, 4, 5, 6, 7}
	root = parse(t, Line(spec))
	require.Len(t, root.all("polyline", "line"), 1)
	require.Len(t, strings.Fields(root.all("polyline", "line")[0].attr["points"]), 7)
}

func TestBarCountMatchesValues(t *testing.T) {
	spec := sampleSpec() // 5 + 5 non-NaN values; second series is one short
	for _, stacked := range []bool{false, true} {
		spec.Stacked = stacked
		for _, r := range []renderer{{"Bar", Bar}, {"HBar", HBar}} {
			root := parse(t, r.fn(spec))
			require.Len(t, root.all("rect", "bar"), 10, "%s stacked=%v", r.name, stacked)
			for _, b := range root.all("rect", "bar") {
				require.NotEmpty(t, b.title())
			}
			groups := root.all("g", "series")
			require.Len(t, groups, 2)
			require.True(t, hasClass(groups[1], "s1"))
			require.Equal(t, Color(1), groups[1].attr["fill"])
		}
	}
	// Values longer than Categories are ignored.
	spec = Spec{Title: "x", Categories: []string{"a"}, Series: []Series{{Values: []float64{1, 2, 3}}}}
	require.Len(t, parse(t, Bar(spec)).all("rect", "bar"), 1)
}

func TestLegend(t *testing.T) {
	spec := sampleSpec()
	for _, r := range renderers {
		root := parse(t, r.fn(spec))
		lg := root.all("g", "legend")
		require.Len(t, lg, 1, r.name)
		require.Len(t, lg[0].all("rect", "s1"), 1)
	}
	spec.Series = spec.Series[:1]
	for _, r := range renderers {
		require.Empty(t, parse(t, r.fn(spec)).all("g", "legend"), r.name)
	}
}

func TestTargetLine(t *testing.T) {
	for _, r := range renderers {
		root := parse(t, r.fn(sampleSpec()))
		tg := root.all("g", "target")
		require.Len(t, tg, 1, r.name)
		line := tg[0].all("line", "")
		require.Len(t, line, 1)
		require.NotEmpty(t, line[0].attr["stroke-dasharray"])
		require.Equal(t, "目标 90%", tg[0].all("text", "")[0].text)
	}
	// Without a label the value is shown; without a target nothing is drawn.
	spec := sampleSpec()
	spec.TargetLabel = ""
	require.Equal(t, "90%", parse(t, Bar(spec)).all("g", "target")[0].all("text", "")[0].text)
	spec.Target = nil
	require.Empty(t, parse(t, Bar(spec)).all("g", "target"))

	// The automatic range stretches to show the target.
	spec = Spec{Title: "t", Categories: []string{"a"}, Series: []Series{{Values: []float64{10}}}, Target: fptr(50)}
	lo, hi, _, _ := prepare(spec).valueRange(true)
	require.Equal(t, 0.0, lo)
	require.Equal(t, 50.0, hi)
}

func TestEmpty(t *testing.T) {
	specs := []Spec{
		{Title: "无分类"},
		{Title: "无系列", Categories: []string{"a", "b"}},
		{Title: "全 NaN", Categories: []string{"a", "b"}, Series: []Series{{Values: []float64{nan, nan}}, {Values: nil}}},
		{Title: "Inf", Categories: []string{"a"}, Series: []Series{{Values: []float64{math.Inf(1)}}}},
	}
	for _, r := range renderers {
		for _, s := range specs {
			root := parse(t, r.fn(s))
			e := root.all("text", "empty")
			require.Len(t, e, 1, "%s %s", r.name, s.Title)
			require.Equal(t, "—", e[0].text)
			require.Empty(t, root.all("rect", "bar"))
			require.Empty(t, root.all("circle", "pt"))
		}
		s := specs[0]
		s.Empty = "暂无数据"
		require.Equal(t, "暂无数据", parse(t, r.fn(s)).all("text", "empty")[0].text)
	}
}

func TestDeterministic(t *testing.T) {
	for _, r := range renderers {
		spec := sampleSpec()
		first := r.fn(spec)
		for i := 0; i < 5; i++ {
			require.Equal(t, first, r.fn(sampleSpec()), r.name)
		}
		spec.Stacked = true
		require.Equal(t, r.fn(spec), r.fn(spec), r.name)
	}
	// Coordinates use fixed precision.
	require.NotRegexp(t, `\d\.\d\d`, string(Line(sampleSpec())))
}

func TestXMLWellFormed(t *testing.T) {
	long := strings.Repeat("质量管理部", 10)
	specs := []Spec{
		sampleSpec(),
		{Title: "single", Categories: []string{"only"}, Series: []Series{{Name: "a", Values: []float64{3}}}},
		{Title: "neg", Categories: []string{"a", "b", "c"}, Series: []Series{{Values: []float64{-5, 3, -1}}, {Values: []float64{2, -2, 4}}}},
		{Title: "zero", Categories: []string{"a", "b"}, Series: []Series{{Values: []float64{0, 0}}}},
		{Title: "many", Categories: strings.Split(strings.Repeat("第一周,", 60), ",")[:60], Series: []Series{{Values: make([]float64, 60)}}},
		{Title: "long", Caption: true, Categories: []string{long, "b"}, Series: []Series{{Name: long, Values: []float64{1, 2}}, {Name: long, Values: []float64{2, 1}}}},
		{Title: "tiny", Width: 120, Height: 40, Categories: []string{"a"}, Series: []Series{{Values: []float64{1}}}},
		{Title: "ctrl \x00\x1b", Categories: []string{"\x07"}, Series: []Series{{Values: []float64{1}}}},
		// Extreme magnitudes must terminate and still produce markup.
		{Title: "huge", Categories: []string{"a", "b"}, Series: []Series{{Values: []float64{math.MaxFloat64, -math.MaxFloat64}}}},
		{Title: "coarse", Categories: []string{"a", "b"}, Series: []Series{{Values: []float64{1e17, 1e17 + 16}}}},
		{Title: "fine", Categories: []string{"a", "b"}, Series: []Series{{Values: []float64{1, 1 + 1e-15}}}},
	}
	for _, r := range renderers {
		for _, s := range specs {
			parse(t, r.fn(s))
			s.Stacked = true
			parse(t, r.fn(s))
		}
	}
}

func TestEdgeRanges(t *testing.T) {
	// All-zero data: axis 0..1.
	a := niceAxis(prepare(Spec{Categories: []string{"a"}, Series: []Series{{Values: []float64{0}}}}).valueRange(true))
	require.Equal(t, 0.0, a.lo)
	require.Equal(t, 1.0, a.hi)

	// A single non-zero value on a line anchors at zero rather than a 0-wide range.
	a = niceAxis(prepare(Spec{Categories: []string{"a"}, Series: []Series{{Values: []float64{42}}}}).valueRange(false))
	require.Equal(t, 0.0, a.lo)
	require.GreaterOrEqual(t, a.hi, 42.0)

	// Lines fit the data; bars always include zero.
	s := Spec{Categories: []string{"a", "b"}, Series: []Series{{Values: []float64{85, 97}}}}
	require.Equal(t, 85.0, niceAxis(prepare(s).valueRange(false)).lo)
	require.Equal(t, 0.0, niceAxis(prepare(s).valueRange(true)).lo)

	// Fixed Min/Max are kept exactly; out-of-range bars are clamped to the plot.
	s = Spec{Title: "pct", Categories: []string{"a", "b"}, Series: []Series{{Values: []float64{150, 50}}}, Min: fptr(0), Max: fptr(100)}
	a = niceAxis(prepare(s).valueRange(true))
	require.Equal(t, 0.0, a.lo)
	require.Equal(t, 100.0, a.hi)
	root := parse(t, Bar(s))
	bars := root.all("rect", "bar")
	require.Len(t, bars, 2)
	require.Equal(t, "a: 150", bars[0].title(), "the tooltip keeps the true value")
	h0, _ := strconv.ParseFloat(bars[0].attr["height"], 64)
	h1, _ := strconv.ParseFloat(bars[1].attr["height"], 64)
	require.InDelta(t, 2*h1, h0, 0.2)

	// Inverted Min/Max is ignored rather than producing a broken axis.
	s.Min, s.Max = fptr(10), fptr(5)
	lo, hi, fl, fh := prepare(s).valueRange(true)
	require.False(t, fl || fh)
	require.Equal(t, 0.0, lo)
	require.Equal(t, 150.0, hi)
}

func TestNegativeBarsBelowZero(t *testing.T) {
	s := Spec{Title: "neg", Categories: []string{"a", "b"}, Series: []Series{{Values: []float64{-5, 10}}}}
	root := parse(t, Bar(s))
	axis := root.all("line", "axis")
	require.Len(t, axis, 1)
	zero, _ := strconv.ParseFloat(axis[0].attr["y1"], 64)
	bars := root.all("rect", "bar")
	require.Len(t, bars, 2)
	y0, _ := strconv.ParseFloat(bars[0].attr["y"], 64)
	h0, _ := strconv.ParseFloat(bars[0].attr["height"], 64)
	y1, _ := strconv.ParseFloat(bars[1].attr["y"], 64)
	h1, _ := strconv.ParseFloat(bars[1].attr["height"], 64)
	require.InDelta(t, zero, y0, 0.1, "negative bar hangs from the zero line")
	require.InDelta(t, zero, y1+h1, 0.1, "positive bar stands on the zero line")
	require.InDelta(t, h1/2, h0, 0.2)

	// HBar: negative bars extend left of the zero line.
	root = parse(t, HBar(s))
	zx, _ := strconv.ParseFloat(root.all("line", "axis")[0].attr["x1"], 64)
	bars = root.all("rect", "bar")
	x0, _ := strconv.ParseFloat(bars[0].attr["x"], 64)
	w0, _ := strconv.ParseFloat(bars[0].attr["width"], 64)
	require.InDelta(t, zx, x0+w0, 0.1)
}

func TestSingleCategory(t *testing.T) {
	s := Spec{Title: "one", Categories: []string{"客服部"}, Series: []Series{{Name: "未结", Values: []float64{7}}}, Unit: "件"}
	require.Len(t, parse(t, Bar(s)).all("rect", "bar"), 1)
	require.Len(t, parse(t, HBar(s)).all("rect", "bar"), 1)
	root := parse(t, Line(s))
	require.Empty(t, root.all("polyline", "line"))
	pts := root.all("circle", "pt")
	require.Len(t, pts, 1)
	require.Equal(t, "未结 · 客服部: 7件", pts[0].title())
}

func TestCJKTruncationKeepsFullLabel(t *testing.T) {
	long := "质量管理部（华东区）售后服务中心客户体验组"
	s := Spec{
		Title:      "部门",
		Categories: []string{long, "物流", "Research & Development"},
		Series:     []Series{{Values: []float64{12, 3, 5}}},
		Width:      400,
	}
	for _, r := range renderers {
		root := parse(t, r.fn(s))
		var found bool
		for _, tx := range root.all("text", "") {
			if tx.title() == long {
				found = true
				require.True(t, strings.HasSuffix(tx.text, "…"), r.name)
				require.True(t, strings.HasPrefix(long, strings.TrimSuffix(tx.text, "…")), r.name)
				require.Less(t, len([]rune(tx.text)), len([]rune(long)))
			}
			// Short labels are drawn whole, without a tooltip.
			if tx.text == "物流" {
				require.Empty(t, tx.title())
			}
		}
		require.True(t, found, "%s: truncated label keeps the full text in <title>", r.name)
	}
}
