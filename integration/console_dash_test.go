package integration

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
)

// dashBranch stores a branch of the test's own: filtered to it, the dashboard
// counts only the complaints the test makes.
func dashBranch(t *testing.T, name string) string {
	t.Helper()
	id := "branch-dash-" + uuid.NewString()[:8]
	r := as(t, "admin", http.MethodPut, "/api/v1/departments/"+id, map[string]any{"id": id, "name": name, "kind": "branch"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	return id
}

// dashRecord has customer service record a complaint at the branch, received
// ago before now.
func dashRecord(t *testing.T, branch, subject string, ago time.Duration) complaint.Complaint {
	t.Helper()
	body := intake(5_000)
	body["branch"], body["subject"] = branch, subject
	if ago > 0 {
		body["received_at"] = time.Now().Add(-ago).Format(time.RFC3339)
	}
	r := as(t, "clerk", http.MethodPost, "/api/v1/complaints", body)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)
	return c
}

// dashAdvance carries a complaint through its steps, each by whoever does it
// in the demo company, until it reaches until (closed: the whole way).
// Complaints assigned elsewhere than engineering stop at root cause, which
// only that department's members may give.
func dashAdvance(t *testing.T, c complaint.Complaint, department string, until complaint.Step) complaint.Complaint {
	t.Helper()
	act := func(user, path string, body map[string]any) {
		t.Helper()
		r := as(t, user, http.MethodPost, "/api/v1/complaints/"+c.ID+"/"+path, body)
		require.Equal(t, http.StatusOK, r.status, "%s by %s: %s", path, user, r.body)
		r.json(t, &c)
	}
	for c.Status != until {
		switch c.Status {
		case complaint.StepValidation:
			act("market", "validation", map[string]any{"founded": true, "reason": "属实"})
		case complaint.StepAssignment:
			act("market", "assignment", map[string]any{"department": department, "handler": "李工"})
		case complaint.StepRootCause:
			act("engineer", "root-cause", steps[2].body)
		case complaint.StepPlan:
			act("engineer", "plan", steps[3].body)
		case complaint.StepApproval:
			// Each level the plan needs, by its own: a branch's case also goes
			// to the market department.
			level := c.ApprovalsRequired[len(c.Approvals)]
			by := map[complaint.Level]string{complaint.LevelDepartmentHead: "head", complaint.LevelMarketDepartment: "market",
				complaint.LevelGeneralManager: "gm"}[level]
			act(by, "approval", map[string]any{"approved": true, "comment": "同意", "level": level})
		case complaint.StepExecution:
			act("engineer", "execution", steps[5].body)
		case complaint.StepCallback:
			act("clerk", "callback", steps[6].body)
		case complaint.StepReview:
			act("market", "review", steps[7].body)
		default:
			t.Fatalf("%s cannot go from %s to %s", c.Number, c.Status, until)
		}
	}
	return c
}

// dashOverdue waits until the back-dated complaint's validation, long past due,
// has escalated to the top of the chain.
func dashOverdue(t *testing.T, c complaint.Complaint) complaint.Complaint {
	t.Helper()
	require.Eventually(t, func() bool {
		return get(t, c.ID).EscalationLevel == complaint.LevelGeneralManager
	}, 20*time.Second, 100*time.Millisecond, "%s escalates", c.Number)
	return get(t, c.ID)
}

// thisQuarter reports whether t falls in the current quarter in Shanghai.
func thisQuarter(t time.Time) bool {
	now, at := time.Now().In(stack.cfg.Location), t.In(stack.cfg.Location)
	return now.Year() == at.Year() && (now.Month()-1)/3 == (at.Month()-1)/3
}

// tile reads a headline figure off the dashboard page.
func tile(t *testing.T, body, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<span class="dash-tile-label">` + regexp.QuoteMeta(label) + `</span>\s*<strong class="dash-tile-value">([^<]*)</strong>`).FindStringSubmatch(body)
	require.Len(t, m, 2, "no tile %s", label)
	return m[1]
}

// quarterRow reads a row of the quarter table: last quarter, this quarter.
func quarterRow(t *testing.T, body, label string) (string, string) {
	t.Helper()
	m := regexp.MustCompile(`<th scope="row">` + regexp.QuoteMeta(label) + `</th><td>([^<]*)</td><td>([^<]*)</td>`).FindStringSubmatch(body)
	require.Len(t, m, 3, "no row %s", label)
	return m[1], m[2]
}

// A complaint carried through every step shows on the general manager's
// dashboard, with one left overdue beside it and one under way; a department
// member has no dashboard.
func TestConsoleDashboardCounts(t *testing.T) {
	branch := dashBranch(t, "看板测试分公司")
	done := dashAdvance(t, dashRecord(t, branch, "看板：已办结的投诉", 0), "engineering", complaint.StepClosed)
	require.Equal(t, complaint.ResolutionResolved, done.Resolution)
	underway := dashAdvance(t, dashRecord(t, branch, "看板：处理中的投诉", 0), "engineering", complaint.StepRootCause)
	// Received twenty days ago and never validated: long overdue, escalated.
	late := dashOverdue(t, dashRecord(t, branch, "看板：超期的投诉", 20*24*time.Hour))

	// The API first: the figures, and the lateness in working time on the
	// complaint's calendar up to the moment of the answer.
	r := as(t, "gm", http.MethodGet, "/api/v1/dashboard?branch="+branch, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var d store.Dashboard
	r.json(t, &d)
	require.Equal(t, store.DashboardScope{Kind: store.ScopeCompany, Branch: branch, Name: "看板测试分公司"}, d.Scope)
	require.Equal(t, 2, d.Open.Total, "the one under way and the late one")
	require.Equal(t, []int{1, 0, 1, 1}, []int{d.Open.OnTrack, d.Open.AtRisk, d.Open.Breached, d.Open.Escalated})
	require.Len(t, d.Overdue.Items, 1)
	o := d.Overdue.Items[0]
	require.Equal(t, late.ID, o.ID)
	require.Equal(t, complaint.LevelGeneralManager, o.EscalationLevel)
	require.Equal(t, complaint.ClockWorking, o.LateClock)
	el := api(t, http.MethodGet, "/api/v1/calendars/"+late.Calendar+"/elapsed?from="+url.QueryEscape(late.DueAt.Format(time.RFC3339Nano))+
		"&to="+url.QueryEscape(d.AsOf.Format(time.RFC3339Nano)), nil)
	require.Equal(t, http.StatusOK, el.status, "%s", el.body)
	var elapsed struct {
		WorkingSeconds int64 `json:"working_seconds"`
	}
	el.json(t, &elapsed)
	require.Equal(t, elapsed.WorkingSeconds, *o.LateSeconds, "late by the working time since its due time")
	require.Equal(t, []string{late.ID}, dashItemIDs(d.Escalated))

	received := 2 // done and underway, recorded now
	if thisQuarter(late.ReceivedAt) {
		received++
	}
	cur := d.Quarters.Current
	require.Equal(t, received, cur.Received)
	require.Equal(t, 2, cur.Founded, "the late one is not validated yet")
	require.Equal(t, 1, cur.Closed)
	// done's steps (each approval level a run of its own) and underway's
	// validation and assignment, all in time.
	require.Equal(t, completedSteps(t, done.ID)+completedSteps(t, underway.ID), cur.CompletedSteps)
	require.Equal(t, cur.CompletedSteps, cur.WithinSLA)
	require.Equal(t, 1.0, *cur.SLACompliance)
	require.Less(t, *cur.MedianHours, 1.0, "closed within minutes")
	require.GreaterOrEqual(t, cur.Escalations, 3, "the late one rose through three levels")

	// The page, as the general manager picks the branch.
	gm := browser(t, "gm")
	code, work := page(t, gm, http.MethodGet, "/", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, work, `<a href="/dashboard">管理看板</a>`)
	code, body := page(t, gm, http.MethodGet, "/dashboard?branch="+branch, nil)
	require.Equal(t, http.StatusOK, code, body)
	body = html.UnescapeString(body)
	require.NotContains(t, body, "⟦missing")
	require.Contains(t, body, "范围：看板测试分公司")
	require.Contains(t, body, `<option value="`+branch+`" selected>看板测试分公司</option>`)
	require.Equal(t, "2", tile(t, body, "在办投诉"))
	require.Equal(t, "1", tile(t, body, "已超期"))
	require.Equal(t, "0", tile(t, body, "临近时限"))
	require.Equal(t, "1", tile(t, body, "已升级"))
	require.Equal(t, "100.0%", tile(t, body, "本季度时限达成率"))
	_, closed := quarterRow(t, body, "结案")
	require.Equal(t, "1", closed, "the complaint carried through is closed this quarter")
	_, got := quarterRow(t, body, "受理")
	require.Equal(t, strconv.Itoa(received), got)
	_, sla := quarterRow(t, body, "时限达成率")
	require.Equal(t, "100.0%", sla)

	// The late one is listed, linked, with its lateness in working hours
	// and its level; the one under way is not.
	overdue := section(t, body, "overdue")
	require.Contains(t, overdue, `<a href="/complaints/`+late.ID+`">`+late.Number+`</a>`)
	require.Regexp(t, `<td>\d+\.\d 工作小时</td>`, overdue)
	require.Contains(t, overdue, "总经理")
	require.Contains(t, overdue, "判定投诉")
	require.NotContains(t, overdue, underway.Number)
	require.Contains(t, section(t, body, "escalated"), late.Number)
	require.Equal(t, 6, strings.Count(body, "<svg"), "six charts")

	// The same in English.
	code, en := page(t, gm, http.MethodGet, "/dashboard?branch="+branch+"&lang=en", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, en, "SLA compliance this quarter")
	require.NotContains(t, en, "⟦missing")

	// A department member: no menu entry, and a refusal in words.
	engineer := browser(t, "engineer")
	_, work = page(t, engineer, http.MethodGet, "/", nil)
	require.NotContains(t, work, `href="/dashboard"`)
	code, refused := page(t, engineer, http.MethodGet, "/dashboard", nil)
	require.Equal(t, http.StatusForbidden, code, refused)
	require.Contains(t, refused, "您没有权限")
	require.Contains(t, refused, "management dashboard")
	r = as(t, "engineer", http.MethodGet, "/api/v1/dashboard", nil)
	require.Equal(t, http.StatusForbidden, r.status)

	// The engineering head sees what engineering is involved in: done (closed)
	// and the one under way, not the unassigned late one.
	r = as(t, "head", http.MethodGet, "/api/v1/dashboard", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var hd store.Dashboard
	r.json(t, &hd)
	require.Equal(t, store.ScopeDepartment, hd.Scope.Kind)
	require.NotContains(t, dashItemIDs(hd.Overdue), late.ID)
	r = as(t, "head", http.MethodGet, "/api/v1/dashboard?branch="+branch, nil)
	require.Equal(t, http.StatusForbidden, r.status)
}

// completedSteps counts a complaint's completed step runs.
func completedSteps(t *testing.T, id string) int {
	t.Helper()
	n := 0
	for _, d := range get(t, id).Deadlines {
		if d.CompletedAt != nil {
			n++
		}
	}
	require.Positive(t, n)
	return n
}

// section is the dashboard's list with the given id.
func section(t *testing.T, body, id string) string {
	t.Helper()
	start := strings.Index(body, `<section class="card" id="`+id+`">`)
	require.GreaterOrEqual(t, start, 0, "no section %s", id)
	end := strings.Index(body[start:], "</section>")
	require.Greater(t, end, 0)
	return body[start : start+end]
}

func dashItemIDs(l store.DashboardUrgentList) []string {
	out := []string{}
	for _, e := range l.Items {
		out = append(out, e.ID)
	}
	return out
}

// The general manager opens the dashboard from the menu and narrows it to a
// branch with the filter, in a real browser.
func TestConsoleDashboardInABrowser(t *testing.T) {
	ctx, dir := chromeTab(t, 1280, 900)
	branch := dashBranch(t, "苏州分公司")
	// A few complaints in several states and departments.
	dashAdvance(t, dashRecord(t, branch, "变频器返修后仍故障", 0), "engineering", complaint.StepClosed)
	dashAdvance(t, dashRecord(t, branch, "安装调试延误两周", 0), "engineering", complaint.StepExecution)
	dashAdvance(t, dashRecord(t, branch, "备件发错型号", 0), "engineering", complaint.StepPlan)
	dashAdvance(t, dashRecord(t, branch, "售后响应不及时", 0), "after-sales", complaint.StepRootCause)
	dashAdvance(t, dashRecord(t, branch, "质保期内外壳开裂", 0), "quality", complaint.StepRootCause)
	dashRecord(t, branch, "合同交货期争议", 0)
	late1 := dashOverdue(t, dashRecord(t, branch, "控制柜噪音超标", 12*24*time.Hour))
	dashOverdue(t, dashRecord(t, branch, "发票金额与合同不符", 20*24*time.Hour))

	signIn(t, ctx, "gm")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`header nav a[href="/dashboard"]`, chromedp.NodeVisible),
		chromedp.WaitVisible(`.dash-tiles`),
	))
	heading, err := chromedp.Run(ctx, chromedp.Text(`main h1`))
	require.NoError(t, err)
	require.Equal(t, "管理看板", heading)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(`select[name=branch]`, branch),
		chromedp.Click(`.dash-filter button`, chromedp.NodeVisible),
		// The new page marks the branch chosen.
		chromedp.WaitReady(chromedp.CSS(`select[name=branch] option[value="`+branch+`"][selected]`)),
		chromedp.WaitVisible(`#overdue table`),
	))
	location, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(location, "/dashboard?branch="+branch), location)
	scope, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.dash-scope`)))
	require.NoError(t, err)
	require.Contains(t, scope, "苏州分公司")
	open, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.dash-tile .dash-tile-value`)))
	require.NoError(t, err)
	require.Equal(t, "7", open, "all but the closed one")
	overdue, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#overdue table`)))
	require.NoError(t, err)
	require.Contains(t, overdue, late1.Number)
	charts, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`figure.dash-chart svg`)))
	require.NoError(t, err)
	require.Len(t, charts, 6)
	shot(t, ctx, dir, "console-dashboard.png")

	// From the list to the complaint.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(fmt.Sprintf(`#overdue a[href="/complaints/%s"]`, late1.ID), chromedp.NodeVisible),
		chromedp.WaitVisible(`main h1`),
	))
	number, err := chromedp.Run(ctx, chromedp.Text(`main h1`))
	require.NoError(t, err)
	require.Contains(t, number, late1.Number)
}
