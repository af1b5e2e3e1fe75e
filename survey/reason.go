package survey

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Reasons are written in Chinese for the market department's cycle page and
// report: they name the numbers and flags that put a customer where it is,
// e.g. "年采购额 120万元 ≥ 100万元: 全部调查".

func chosenReason(r CoverageRule, c Customer, rank, n, quota int, chosen bool) string {
	why := ruleConditions(r, c)
	switch {
	case r.Share >= 1:
		return why + ": 全部调查"
	case r.Share <= 0:
		return why + ": 按规则不调查"
	}
	draw := fmt.Sprintf("抽取 %s（%d 户中抽 %d 户），抽签第 %d 位", percent(r.Share), n, quota, rank)
	if chosen {
		return why + ": " + draw + "，入选"
	}
	return why + ": " + draw + "，未入选"
}

// ruleConditions says which of the rule's conditions the customer meets.
func ruleConditions(r CoverageRule, c Customer) string {
	var parts []string
	v := yuan(c.AnnualVolume)
	switch {
	case r.MinVolume > 0 && r.MaxVolume > 0:
		parts = append(parts, fmt.Sprintf("年采购额 %s 在 %s–%s 之间", v, yuan(r.MinVolume), yuan(r.MaxVolume)))
	case r.MinVolume > 0:
		parts = append(parts, fmt.Sprintf("年采购额 %s ≥ %s", v, yuan(r.MinVolume)))
	case r.MaxVolume > 0:
		parts = append(parts, fmt.Sprintf("年采购额 %s < %s", v, yuan(r.MaxVolume)))
	}
	switch {
	case r.byYears(c):
		parts = append(parts, fmt.Sprintf("连续合作 %d 年 ≥ %d 年", c.YearsAsCustomer, r.RequireYears))
	case r.Potential && c.Potential:
		parts = append(parts, "有潜力客户")
	}
	if r.Representative {
		parts = append(parts, "代表性项目")
	}
	if len(parts) == 0 {
		return "规则 " + r.Name
	}
	return strings.Join(parts, "，")
}

func outsideReason(c Customer) string {
	potential, representative := "无潜力", "非代表性项目"
	if c.Potential {
		potential = "有潜力"
	}
	if c.Representative {
		representative = "代表性项目"
	}
	return fmt.Sprintf("年采购额 %s，合作 %d 年，%s，%s: 不符合任何调查范围规则，不调查",
		yuan(c.AnnualVolume), c.YearsAsCustomer, potential, representative)
}

// yuan writes an amount as the procedures do: 120万元, 85.5万元, 5000元.
func yuan(v float64) string {
	if v >= 10_000 {
		return strconv.FormatFloat(math.Round(v)/10_000, 'f', -1, 64) + "万元"
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) + "元"
}

// percent writes a share as 90% or 85.5%.
func percent(share float64) string {
	return strconv.FormatFloat(math.Round(share*1000)/10, 'f', -1, 64) + "%"
}
