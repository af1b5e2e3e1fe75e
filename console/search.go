package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
)

// 投诉查询: every complaint the user may read, found by number, subject or
// customer and filtered by step, standing and department. The API decides
// what each user may see.

func init() {
	addMessages(map[string]string{
		"search.title": "投诉查询", "search.hint": "按编号、主题、投诉人或单位查找您有权查看的投诉。",
		"search.q": "查找", "search.q_hint": "编号、主题、投诉人或单位", "search.all": "全部", "search.open": "未关闭",
		"search.submit": "查询", "search.reset": "清除条件", "search.empty": "没有符合条件的投诉。",
		"search.next": "下一页", "search.first": "第一页", "col.customer": "投诉人", "col.department": "责任部门", "col.received": "收到时间",
		"field.status": "当前步骤", "field.q": "查找", "field.sla_status": "时限状态", "field.cursor": "页码", "field.limit": "每页条数",
	}, map[string]string{
		"search.title": "Find complaints", "search.hint": "Find the complaints you may read by number, subject, customer or organisation.",
		"search.q": "Search", "search.q_hint": "Number, subject, customer or organisation", "search.all": "All", "search.open": "Open",
		"search.submit": "Search", "search.reset": "Clear", "search.empty": "No complaint matches.",
		"search.next": "Next page", "search.first": "First page", "col.customer": "Customer", "col.department": "Department", "col.received": "Received",
		"field.status": "Step", "field.q": "Search", "field.sla_status": "SLA status", "field.cursor": "Page", "field.limit": "Page size",
	})
	register(area{name: "search", nav: "search.title", href: "/complaints", order: 25, routes: func(cs *Console) []route {
		return []route{{method: http.MethodGet, pattern: "/complaints", handle: cs.search}}
	}})
}

// searchView is the search page's data.
type searchView struct {
	Q, Status, SLA, Department string
	Steps                      []complaint.Step
	SLAs                       []string
	Departments                []option
	Items                      []complaint.Complaint
	// Next is the next page's query; First whether this is not the first page.
	Next  string
	First string
}

func (cs *Console) search(c *gin.Context) {
	v := &searchView{Q: c.Query("q"), Status: c.Query("status"), SLA: c.Query("sla_status"), Department: c.Query("department"),
		Steps: append(append([]complaint.Step{}, complaint.ActionSteps...), complaint.StepClosed),
		SLAs:  []string{string(complaint.SLAOnTrack), string(complaint.SLAAtRisk), string(complaint.SLABreached)}}
	q := url.Values{}
	for k, val := range map[string]string{"q": v.Q, "status": v.Status, "sla_status": v.SLA, "department": v.Department, "cursor": c.Query("cursor")} {
		if val != "" {
			q.Set(k, val)
		}
	}
	p := cs.base(c, "search.title")
	status := http.StatusOK
	list, err := cs.ops.Complaints(c, user(c).Actor, app.ComplaintFilter{Search: strings.TrimSpace(v.Q), Status: complaint.Step(v.Status),
		SLAStatus: complaint.SLAStatus(v.SLA), Department: v.Department, Cursor: c.Query("cursor"), Limit: 50})
	if r := refusalIn(c, err); r != nil {
		// A filter the operation refuses is shown on the page, the form kept.
		p.Error, status = explain(p.Lang, r), r.Status
	}
	v.Items = list.Items
	if list.Next != "" {
		q.Set("cursor", list.Next)
		v.Next = "/complaints?" + q.Encode()
	}
	if c.Query("cursor") != "" {
		q.Del("cursor")
		v.First = "/complaints?" + q.Encode()
	}
	depts, err := cs.ops.DepartmentList(c)
	if err != nil {
		cs.fail(c, err)
		return
	}
	p.Depts = map[string]string{}
	for _, d := range depts {
		v.Departments = append(v.Departments, option{Value: d.ID, Text: d.Name})
		p.Depts[d.ID] = d.Name
	}
	p.Data = v
	cs.render(c, status, "search.html", p)
}
