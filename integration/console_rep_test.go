package integration

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/server"
)

// The console's report pages through the real stack: complaints recorded
// through the API in 2016 (a period no other test uses), the pages read as
// the quality department and the general manager, every figure checked
// against the API's own JSON.

const (
	repQuarter = "2016Q2"
	repMonth   = "2016-05"
)

var repSeedOnce sync.Once

// repSeed records three complaints received in 2016Q2 through the API: one
// handled to the end, one not founded, one left at root-cause analysis.
func repSeed(t *testing.T) {
	t.Helper()
	repSeedOnce.Do(func() {
		received := func(m time.Month, d, h int) string {
			return time.Date(2016, m, d, h, 0, 0, 0, reports.Location).Format(time.RFC3339)
		}
		done := intake(12_000)
		done["category"], done["complainant_class"], done["received_at"] = "contract", "B", received(5, 10, 10)
		c := create(t, done)
		for _, s := range steps {
			got := step(t, c.ID, s.path, s.body)
			require.Equal(t, s.next, got.Status, s.path)
		}

		rejected := intake(2_000)
		rejected["category"], rejected["received_at"] = "service_quality", received(5, 20, 15)
		c = create(t, rejected)
		require.Equal(t, complaint.StepClosed, step(t, c.ID, "validation", map[string]any{"founded": false, "reason": "非我司责任", "reply": "已书面答复"}).Status)

		open := intake(60_000)
		open["branch"], open["channel"], open["received_at"] = "branch-zhengzhou", "email", received(4, 20, 9)
		c = create(t, open)
		step(t, c.ID, "validation", steps[0].body)
		require.Equal(t, complaint.StepRootCause, step(t, c.ID, "assignment", steps[1].body).Status)

		// The internal auditor's standards check of May.
		r := as(t, "auditor", http.MethodPost, "/api/v1/assessment/checks", map[string]any{
			"department": "engineering", "month": repMonth, "item": "投诉处理记录完整性", "earned": 42, "possible": 50, "note": "抽查 12 单"})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	})
}

// figure reads a page's data-figure value.
func figure(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`data-figure="` + name + `">([^<]*)<`).FindStringSubmatch(body)
	require.Len(t, m, 2, "no figure %s", name)
	return html.UnescapeString(m[1])
}

// pct formats a share as the console does: a percentage with one decimal.
func pct(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// money formats RMB as the console does: two decimals, thousands grouped.
func money(v float64) string {
	whole, frac, _ := strings.Cut(strconv.FormatFloat(v, 'f', 2, 64), ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return whole + "." + frac
}

func TestConsoleComplaintAnalysisAgainstTheAPI(t *testing.T) {
	repSeed(t)
	r := as(t, "quality", http.MethodGet, "/api/v1/reports/complaints?quarter="+repQuarter, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var a reports.ComplaintAnalysis
	r.json(t, &a)
	require.GreaterOrEqual(t, a.Total, 3, "the seeded complaints")

	for _, user := range []string{"quality", "gm"} {
		b := browser(t, user)
		code, body := page(t, b, http.MethodGet, "/reports/complaints?by=quarter&period="+repQuarter, nil)
		require.Equal(t, http.StatusOK, code, body)
		require.Contains(t, body, `<a href="/reports" aria-current="page">统计报表</a>`)
		require.Equal(t, strconv.Itoa(a.Total), figure(t, body, "total"), user)
		require.Equal(t, strconv.Itoa(a.Founded), figure(t, body, "founded"))
		require.Equal(t, strconv.Itoa(a.NotFounded), figure(t, body, "not_founded"))
		require.Equal(t, pct(a.NotFoundedShare), figure(t, body, "not_founded_share"))
		require.Equal(t, pct(a.ReopenRate), figure(t, body, "reopen_rate"))
		require.Equal(t, money(a.DirectLoss), figure(t, body, "direct_loss"))
		require.Contains(t, body, a.FromDate+" 至 "+a.ToDate)
		// Each category's count and share, in the table under its chart.
		for _, c := range a.ByCategory {
			label := map[string]string{"service_product": "服务产品投诉", "service_quality": "服务质量投诉", "contract": "合同投诉"}[c.Key]
			require.Contains(t, body, fmt.Sprintf(`<tr><td>%s</td><td class="num">%d</td><td class="num">%s</td></tr>`, label, c.Count, pct(c.Share)))
		}
		// The steps' handling times.
		for _, s := range a.Steps {
			if s.MedianHours != nil {
				require.Contains(t, body, `<td class="num">`+strconv.FormatFloat(*s.MedianHours, 'f', 1, 64)+`</td>`, s.Step)
			}
		}
		require.Contains(t, body, "<svg")
		require.NotContains(t, body, "<script")

		// The Excel link is the API's own export, fetched with the session cookie.
		m := regexp.MustCompile(`href="(/api/v1/reports/complaints\?[^"]*format=xlsx[^"]*)"`).FindStringSubmatch(body)
		require.Len(t, m, 2, body)
		resp, err := b.Get(stack.api.URL + html.UnescapeString(m[1]))
		require.NoError(t, err)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
		require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"))
		require.Contains(t, resp.Header.Get("Content-Disposition"), "complaint-analysis-2016-04-01-2016-06-30.xlsx")
		f, err := excelize.OpenReader(bytes.NewReader(raw))
		require.NoError(t, err)
		rows, err := f.GetRows("概要")
		require.NoError(t, err)
		require.Equal(t, []string{"投诉总数", strconv.Itoa(a.Total)}, rows[4])
		f.Close()
	}

	// A period in a bad format: a 400 naming the field, shown at it on the page.
	b := browser(t, "quality")
	code, body := page(t, b, http.MethodGet, "/reports/complaints?by=quarter&period=2016Q5", nil)
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Regexp(t, `name="period" value="2016Q5"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="period"[^>]*>[^<]*quarter: must look like 2026Q1`, body)
	require.Contains(t, body, "无法按这些条件生成报表")
	code, body = page(t, b, http.MethodGet, "/reports/complaints?by=month&period=2016-13", nil)
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Contains(t, body, `data-field="period"`)
	require.Contains(t, body, "month: must look like")

	// The branch head reads their own branch's figures.
	r = as(t, "branch", http.MethodGet, "/api/v1/reports/complaints?quarter="+repQuarter, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var own reports.ComplaintAnalysis
	r.json(t, &own)
	require.GreaterOrEqual(t, own.Total, 1)
	code, body = page(t, browser(t, "branch"), http.MethodGet, "/reports/complaints?by=quarter&period="+repQuarter, nil)
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, strconv.Itoa(own.Total), figure(t, body, "total"))
	require.Contains(t, body, "郑州")
	require.NotContains(t, body, `name="branch"`)
}

func TestConsoleDepartmentAssessmentAgainstTheAPI(t *testing.T) {
	repSeed(t)
	r := as(t, "gm", http.MethodGet, "/api/v1/reports/departments?month="+repMonth, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var m server.MonthlyAssessment
	r.json(t, &m)
	var eng *assessment.DepartmentMonthScore
	for i := range m.Departments {
		if m.Departments[i].Department == "engineering" {
			eng = &m.Departments[i]
		}
	}
	require.NotNil(t, eng)
	require.True(t, eng.Standards.Measured, "the auditor's check")

	gm := browser(t, "gm")
	code, body := page(t, gm, http.MethodGet, "/reports/departments?by=month&period="+repMonth, nil)
	require.Equal(t, http.StatusOK, code, body)
	require.NotContains(t, body, "rep-entry", "the general manager enters nothing")
	// Every department's score, as the API computed it.
	for _, d := range m.Departments {
		score := strconv.FormatFloat(d.Score, 'f', -1, 64)
		require.Regexp(t, `<th scope="row">`+regexp.QuoteMeta(d.Name)+`</th>(<td[^>]*>[^<]*</td>){3}<td class="num rep-score">`+regexp.QuoteMeta(score)+`</td>`, body, d.Department)
	}
	require.Contains(t, body, "投诉处理记录完整性", "the check behind the standards part")
	require.Contains(t, body, eng.Complaints.Basis)
	for _, e := range eng.Complaints.Evidence {
		require.Contains(t, body, `<a href="/complaints/`+e.ID+`">`+e.Label+`</a>`)
	}

	// The auditor enters a check through the console; the API has it.
	auditor := browser(t, "auditor")
	code, body = page(t, auditor, http.MethodGet, "/reports/departments?by=month&period="+repMonth, nil)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `action="/reports/departments/checks"`)
	require.NotContains(t, body, `action="/reports/departments/credits"`)
	form := url.Values{"department": {"engineering"}, "month": {repMonth}, "item": {"回访记录"}, "earned": {"60"}, "possible": {"50"},
		"view_by": {"month"}, "view_period": {repMonth}}
	code, body = page(t, auditor, http.MethodPost, "/reports/departments/checks", form)
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Regexp(t, `name="earned" value="60"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="earned"`, body)
	form.Set("earned", "48")
	code, body = page(t, auditor, http.MethodPost, "/reports/departments/checks", form)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "检查已录入")
	require.Contains(t, body, "回访记录")
	r = as(t, "quality", http.MethodGet, "/api/v1/reports/departments?month="+repMonth, nil)
	var after server.MonthlyAssessment
	r.json(t, &after)
	for _, d := range after.Departments {
		if d.Department == "engineering" {
			require.Len(t, d.Standards.Evidence, len(eng.Standards.Evidence)+1)
		}
	}

	// The market department enters a credit; the yearly adjustment shows it.
	market := browser(t, "market")
	code, body = page(t, market, http.MethodPost, "/reports/departments/credits", url.Values{"department": {"engineering"}, "year": {"2016"},
		"kind": {"customer_award"}, "reason": {"客户送来锦旗"}, "view_by": {"month"}, "view_period": {repMonth}})
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "加分已录入")
	require.Contains(t, body, "客户送来锦旗")

	// The workbook behind the download link.
	m2 := regexp.MustCompile(`href="(/api/v1/reports/departments\?[^"]*format=xlsx[^"]*)"`).FindStringSubmatch(body)
	require.Len(t, m2, 2)
	resp, err := market.Get(stack.api.URL + html.UnescapeString(m2[1]))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Disposition"), "department-assessment-2016.xlsx")
}

func TestConsoleSatisfactionAndChurnAgainstTheAPI(t *testing.T) {
	b := browser(t, "quality")
	r := as(t, "quality", http.MethodGet, "/api/v1/reports/satisfaction?half=2016H1", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var s reports.SatisfactionReport
	r.json(t, &s)
	code, body := page(t, b, http.MethodGet, "/reports/satisfaction?by=half&period=2016H1", nil)
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, strconv.Itoa(s.Cycles), figure(t, body, "cycles"))
	require.Equal(t, strconv.Itoa(s.Answers), figure(t, body, "answers"))
	require.Equal(t, pct(s.SatisfactionRate), figure(t, body, "satisfaction_rate"))
	require.Contains(t, body, "目标满意率 95.0%", "the assessment's threshold")

	r = as(t, "quality", http.MethodGet, "/api/v1/reports/churn?half=2016H1", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var ch reports.ChurnReport
	r.json(t, &ch)
	code, body = page(t, b, http.MethodGet, "/reports/churn?period=2016H1", nil)
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, strconv.Itoa(ch.Customers), figure(t, body, "customers"))
	require.Equal(t, strconv.Itoa(ch.Lost), figure(t, body, "lost"))
	require.NotContains(t, body, "audit-evidence", "the quality department exports no ISO evidence")
	code, body = page(t, b, http.MethodGet, "/reports/churn?period=2016H1&decline=2", nil)
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Contains(t, body, `data-field="decline"`)

	// The auditor's ISO evidence link answers the API's workbook.
	auditor := browser(t, "auditor")
	_, body = page(t, auditor, http.MethodGet, "/reports/churn?period=2016H1", nil)
	m := regexp.MustCompile(`href="(/api/v1/reports/audit-evidence\?[^"]*format=xlsx[^"]*)"`).FindStringSubmatch(body)
	require.Len(t, m, 2, body)
	resp, err := auditor.Get(stack.api.URL + html.UnescapeString(m[1]))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Disposition"), "audit-evidence-2016-01-01-2016-06-30.xlsx")
}

// The console offers each report exactly to those the API lets read it:
// same status for every demo user, and the menu entry for the readers.
func TestConsoleReportsFollowTheAPIsPermissions(t *testing.T) {
	pairs := [][2]string{
		{"/reports/complaints?by=quarter&period=2016Q3", "/api/v1/reports/complaints?quarter=2016Q3"},
		{"/reports/satisfaction?by=quarter&period=2016Q3", "/api/v1/reports/satisfaction?quarter=2016Q3"},
		{"/reports/departments?by=month&period=2016-07", "/api/v1/reports/departments?month=2016-07"},
		{"/reports/churn?period=2016H2", "/api/v1/reports/churn?half=2016H2"},
	}
	for _, user := range []string{"clerk", "market", "branch", "engineer", "head", "quality", "gm", "auditor", "admin"} {
		b := browser(t, user)
		_, work := page(t, b, http.MethodGet, "/", nil)
		anyReport := false
		for _, p := range pairs {
			want := as(t, user, http.MethodGet, p[1], nil).status
			code, body := page(t, b, http.MethodGet, p[0], nil)
			require.Equal(t, want, code, "%s %s: %s", user, p[0], body)
			if code == http.StatusForbidden {
				require.Contains(t, body, "您没有权限", "%s %s", user, p[0])
				require.Contains(t, body, "查看", "who may read it, in words")
			} else {
				anyReport = true
			}
		}
		require.Equal(t, anyReport, strings.Contains(work, `href="/reports"`), "%s: the menu entry", user)
		code, _ := page(t, b, http.MethodGet, "/reports", nil)
		if anyReport {
			require.Equal(t, http.StatusOK, code, user)
		} else {
			require.Equal(t, http.StatusForbidden, code, user)
		}
	}
}

// The general manager opens the complaint analysis and the department
// assessment in a real browser.
func TestConsoleReportsInABrowser(t *testing.T) {
	repSeed(t)
	ctx, dir := chromeTab(t, 1280, 900)
	signIn(t, ctx, "gm")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`header nav a[href="/reports"]`),
		chromedp.WaitVisible(`a.rep-card[href="/reports/complaints"]`),
		chromedp.Click(`a.rep-card[href="/reports/complaints"]`),
		chromedp.WaitVisible(`form.rep-pick`),
		chromedp.SetValue(`select[name=by]`, "quarter"),
		chromedp.SetValue(`input[name=period]`, repQuarter),
		chromedp.Submit(`input[name=period]`),
		chromedp.WaitVisible(`[data-figure=total]`),
	))
	total, err := chromedp.Run(ctx, chromedp.Text(`[data-figure=total]`))
	require.NoError(t, err)
	var a reports.ComplaintAnalysis
	as(t, "gm", http.MethodGet, "/api/v1/reports/complaints?quarter="+repQuarter, nil).json(t, &a)
	require.Equal(t, strconv.Itoa(a.Total), total)
	shot(t, ctx, dir, "console-reports.png")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(stack.api.URL+"/reports/departments?by=month&period="+repMonth),
		chromedp.WaitVisible(`table.rep-assessment`),
		chromedp.Click(`#dept-engineering tr.rep-evidence summary`),
		chromedp.WaitVisible(`#dept-engineering table.rep-lines`),
	))
	heading, err := chromedp.Run(ctx, chromedp.Text(`h2.rep-heading`))
	require.NoError(t, err)
	require.Contains(t, heading, "2016年5月")
	shot(t, ctx, dir, "console-assessment.png")
}
