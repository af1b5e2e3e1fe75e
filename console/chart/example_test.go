package chart_test

import (
	"fmt"
	"math"
	"strings"

	"github.com/cxflow/cxflow/console/chart"
)

func ExampleLine() {
	min, max, target := 0.0, 100.0, 90.0
	svg := chart.Line(chart.Spec{
		Title:      "SLA 达标率",
		Categories: []string{"1月", "2月", "3月", "4月"},
		Series: []chart.Series{
			{Name: "本季度", Values: []float64{91.5, 88, math.NaN(), 94}},
			{Name: "上季度", Values: []float64{86, 89, 90, 92}},
		},
		Unit:        "%",
		Min:         &min,
		Max:         &max,
		Target:      &target,
		TargetLabel: "目标 90%",
	})
	// svg is template.HTML: put it straight into a html/template page.
	fmt.Println(strings.HasPrefix(string(svg), "<svg"))
	// Output: true
}
