package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
)

// The 统计报表 index: the reports the user may open, the ISO audit evidence
// for those who export it, and the kept quarterly and half-year versions.

func init() {
	addMessages(map[string]string{
		"rep.departments.short": "各部门的月度服务考评和年度加减分，附每个分数的依据；内审员和市场部在此录入检查和加分。",
		"rep.churn.short":       "半年采购额下降和流失的客户，及其投诉和调查回答。",
		"rep.versions":          "已保存的报告版本", "rep.versions.hint": "每季度初自动生成上一季度的投诉分析报告（半年末同时生成半年报告），每次生成保存为新的版本。",
		"rep.versions.none": "还没有保存的报告版本。", "rep.v.kind": "报告", "rep.v.period": "期间", "rep.v.scope": "范围", "rep.v.version": "版本",
		"rep.v.created": "生成时间", "rep.v.by": "生成方式", "rep.v.file": "文件", "rep.v.scheduled": "定时生成", "rep.v.requested": "按需生成",
		"rep.v.number": "第 %d 版", "rep.v.kind.complaints": "客户投诉分析报告", "rep.v.size": "%s KB",
	}, map[string]string{
		"rep.departments.short": "Each department's monthly service score and yearly adjustment, with the records behind each figure; internal auditors and the market department enter checks and credits here.",
		"rep.churn.short":       "Customers whose half-year purchases fell or stopped, with their complaints and survey answers.",
		"rep.versions":          "Kept report versions", "rep.versions.hint": "At the start of each quarter the complaint analysis of the quarter just ended is generated (at a half year's end also the half year's); each run is kept as a new version.",
		"rep.versions.none": "No report version kept yet.", "rep.v.kind": "Report", "rep.v.period": "Period", "rep.v.scope": "Scope", "rep.v.version": "Version",
		"rep.v.created": "Generated", "rep.v.by": "How", "rep.v.file": "File", "rep.v.scheduled": "scheduled", "rep.v.requested": "on request",
		"rep.v.number": "version %d", "rep.v.kind.complaints": "Complaint analysis", "rep.v.size": "%s KB",
	})
}

// repIndexView is the index page's data.
type repIndexView struct {
	Reports []repCard
	// Evidence links the ISO audit evidence by period (nil: not for the user).
	Evidence []repEvidenceLinks
	// MayVersions shows the kept versions, which company-wide readers list.
	MayVersions bool
	Versions    []repVersionRow
}

// repCard is one report the user may open.
type repCard struct {
	Href, Title, Hint string
}

// repEvidenceLinks are the evidence exports of one period.
type repEvidenceLinks struct {
	Label string
	Links []repLink
}

// repVersionRow is one kept version.
type repVersionRow struct {
	Kind, Period, Scope, Version, Format, Size, Created, By, Href, File string
}

func (cs *Console) repIndex(c *gin.Context) {
	u := user(c)
	if !repMayAny(u.Actor) {
		cs.repForbidden(c, "rep.who.complaints")
		return
	}
	p := cs.base(c, "rep.title")
	l := p.Lang
	v := &repIndexView{}
	if repMayComplaints(u.Actor) {
		v.Reports = append(v.Reports, repCard{Href: "/reports/complaints", Title: T(l, "rep.complaints.title"), Hint: T(l, "rep.complaints.hint")})
	}
	if repCompanyWide(u.Actor) {
		v.Reports = append(v.Reports,
			repCard{Href: "/reports/satisfaction", Title: T(l, "rep.satisfaction.title"), Hint: T(l, "rep.satisfaction.hint")},
			repCard{Href: "/reports/departments", Title: T(l, "rep.departments.title"), Hint: T(l, "rep.departments.short")},
			repCard{Href: "/reports/churn", Title: T(l, "rep.churn.title"), Hint: T(l, "rep.churn.short")})
	}
	now := cs.now().In(cs.loc)
	if repMayEvidence(u.Actor) {
		for _, k := range []string{"quarter", "year"} {
			for _, val := range []string{repCurrent(k, now), repPrevious(k, now)} {
				v.Evidence = append(v.Evidence, repEvidenceLinks{Label: repPeriodLabel(l, k, val),
					Links: repDownloads(l, "/api/v1/reports/audit-evidence", url.Values{k: {val}})})
			}
		}
	}
	if repCompanyWide(u.Actor) {
		versions, err := cs.ops.ReportVersions(c, u.Actor, "", "")
		if r := refusalOf(err); r != nil {
			cs.refuse(c, r)
			return
		}
		byID, _, err := cs.repOrg(c)
		if err != nil {
			cs.fail(c, err)
			return
		}
		v.MayVersions = true
		for _, x := range versions {
			row := repVersionRow{Kind: x.Kind, Period: repLabelOf(l, x.Period), Scope: T(l, "rep.whole_company"),
				Version: fmt.Sprintf(T(l, "rep.v.number"), x.Version), Format: x.Format,
				Size:    fmt.Sprintf(T(l, "rep.v.size"), strconv.FormatFloat(float64(x.Size)/1024, 'f', 1, 64)),
				Created: p.Time(x.CreatedAt), By: T(l, "rep.v.scheduled"),
				Href: "/api/v1/report-versions/" + strconv.FormatInt(x.ID, 10)}
			if s, ok := lookup(l, "rep.v.kind."+x.Kind); ok {
				row.Kind = s
			}
			if x.Branch != "" {
				row.Scope = x.Branch
				if d, ok := byID[x.Branch]; ok {
					row.Scope = d.Name
				}
			}
			// The schedule signs its runs "schedule"; a run on request, the user's ID.
			if x.CreatedBy != "schedule" {
				row.By = T(l, "rep.v.requested")
			}
			v.Versions = append(v.Versions, row)
		}
	}
	p.Data = v
	cs.render(c, http.StatusOK, "rep_index.html", p)
}
