package integration

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
)

func TestSatisfactionReportThroughTheAPI(t *testing.T) {
	tag := uuid.NewString()[:6]
	r := postCSV(t, "客户编号,客户名称,等级,年采购额,合作年限,有潜力,代表性项目,类别,联系人,电话,邮箱\n"+
		"SR1-"+tag+",满意度一,A,2000000,5,否,否,device,王,,sr1@example.cn\n"+
		"SR2-"+tag+",满意度二,A,2000000,5,否,否,device,李,,sr2@example.cn\n")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	programme := shortProgramme(t, "半年度报告 "+tag, "6s", nil)
	cycleID := startCycle(t, programme)
	waitCycle(t, cycleID, "open", 15*time.Second)
	var inv struct {
		Items []struct {
			CustomerID string `json:"customer_id"`
			URL        string `json:"url"`
		} `json:"items"`
	}
	as(t, "market", http.MethodGet, "/api/v1/survey-cycles/"+cycleID+"/invitations", nil).json(t, &inv)
	answers := map[string]map[string]string{
		"SR1-" + tag: {"product_quality": "very_satisfied", "service": "satisfied"},
		"SR2-" + tag: {"product_quality": "dissatisfied", "service": "satisfied"},
	}
	n := 0
	for _, iv := range inv.Items {
		if rt, ok := answers[iv.CustomerID]; ok {
			link := strings.TrimPrefix(iv.URL, "http://cxflow.test")
			require.Equal(t, http.StatusCreated, anonymous(t, http.MethodPost, link, map[string]any{"ratings": rt}).status)
			n++
		}
	}
	require.Equal(t, 2, n)
	cy := waitCycle(t, cycleID, "closed", 30*time.Second)
	require.Eventually(t, func() bool {
		var k int
		err := stack.pool.QueryRow(context.Background(), `SELECT count(*) FROM improvement_actions WHERE source_cycle_id = $1`, cycleID).Scan(&k)
		return err == nil && k == 1
	}, 20*time.Second, 200*time.Millisecond)

	closed := cy.ClosedAt.In(reports.Location)
	half := fmt.Sprintf("%dH%d", closed.Year(), (int(closed.Month())-1)/6+1)
	path := "/api/v1/reports/satisfaction?half=" + half + "&programme=" + programme
	r = as(t, "quality", http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var rep reports.SatisfactionReport
	r.json(t, &rep)
	require.Equal(t, 1, rep.Cycles)
	require.Equal(t, 2, rep.Answers)
	require.Equal(t, cycleID, rep.Trend[0].CycleID)
	// Ratings 100, 80, 30, 80: index 72.5, 3 of 4 satisfied.
	require.InDelta(t, 72.5, *rep.Index, 1e-9)
	require.InDelta(t, 0.75, *rep.SatisfactionRate, 1e-9)
	require.Len(t, rep.Factors, 1)
	require.Equal(t, "product_quality", rep.Factors[0].Dimension)
	require.Equal(t, 1, rep.Factors[0].Dissatisfied)
	require.Len(t, rep.Factors[0].Actions, 1)
	require.False(t, rep.Factors[0].Actions[0].Effective)

	r = as(t, "auditor", http.MethodGet, path+"&format=xlsx", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, r.header.Get("Content-Disposition"), ".xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	require.NoError(t, err)
	idx, _ := f.GetCellValue("概要", "B8", excelize.Options{RawCellValue: true})
	require.Equal(t, "72.5", idx)

	require.Equal(t, http.StatusForbidden, as(t, "engineer", http.MethodGet, path, nil).status)
	bad := as(t, "quality", http.MethodGet, "/api/v1/reports/satisfaction?half=2026H3", nil)
	require.Equal(t, http.StatusBadRequest, bad.status)
	require.Equal(t, "half", bad.field(t, "field"))
}

func TestChurnReportThroughTheAPI(t *testing.T) {
	tag := uuid.NewString()[:6]
	r := postCSV(t, "客户编号,客户名称,等级,年采购额,合作年限,有潜力,代表性项目,类别,联系人,电话,邮箱\n"+
		"CH1-"+tag+",流失 客户"+tag+",A,100,5,否,否,device,王,,ch1@example.cn\n"+
		"CH2-"+tag+",下降客户"+tag+",A,100,5,否,否,device,李,,ch2@example.cn\n")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, float64(2), r.field(t, "imported"), "%s", r.body)

	csv := "customer_id,period,volume\n" +
		"CH1-" + tag + ",2018H1,500000\n" +
		"CH2-" + tag + ",2018H1,\"1,000,000\"\n" +
		"CH2-" + tag + ",2018H2,80万\n" +
		"CH3-" + tag + ",2018H2,abc\n"
	imp := call(t, stack.api.URL, http.MethodPost, "/api/v1/customers/volumes", csv,
		"Authorization", "Bearer "+tokenOf(t, "market"), "Content-Type", "text/csv")
	require.Equal(t, http.StatusOK, imp.status, "%s", imp.body)
	var res struct {
		Imported int `json:"imported"`
		Errors   []struct {
			Line  int    `json:"line"`
			Field string `json:"field"`
		} `json:"errors"`
	}
	imp.json(t, &res)
	require.Equal(t, 3, res.Imported)
	require.Len(t, res.Errors, 1)
	require.Equal(t, 5, res.Errors[0].Line)
	require.Equal(t, "volume", res.Errors[0].Field)
	require.Equal(t, http.StatusForbidden, call(t, stack.api.URL, http.MethodPost, "/api/v1/customers/volumes", csv,
		"Authorization", "Bearer "+tokenOf(t, "quality"), "Content-Type", "text/csv").status)

	at := time.Date(2018, 9, 1, 10, 0, 0, 0, reports.Location).UTC()
	id := uuid.NewString()
	require.NoError(t, store.New(stack.pool).SaveComplaint(context.Background(), complaint.Complaint{
		ID: id, Number: "CHN-" + id[:8], Status: complaint.StepValidation, Subject: "交货延误",
		Customer: complaint.Customer{Name: "张三", Organisation: "流失客户" + strings.ToUpper(tag)}, Severity: complaint.SeverityNone,
		Category: complaint.CategoryContract, Channel: complaint.ChannelPhone, ComplainantClass: complaint.ClassC,
		EscalationLevel: complaint.LevelOwner, ReceivedAt: at, CreatedAt: at, PolicyVersion: "p", Version: 1,
	}, nil, "", ""))

	r = as(t, "market", http.MethodGet, "/api/v1/reports/churn?half=2018H2", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var rep reports.ChurnReport
	r.json(t, &rep)
	flagged := map[string]reports.ChurnCustomer{}
	for _, c := range rep.Flagged {
		if strings.HasSuffix(c.CustomerID, tag) {
			flagged[c.CustomerID] = c
		}
	}
	require.Len(t, flagged, 2)
	lost := flagged["CH1-"+tag]
	require.Equal(t, reports.ChurnLost, lost.Status)
	require.Len(t, lost.Complaints, 1, "matched by organisation, case and spaces ignored")
	require.Equal(t, id, lost.Complaints[0].ID)
	dec := flagged["CH2-"+tag]
	require.Equal(t, reports.ChurnDeclined, dec.Status, "exactly 20 %% down")
	require.InDelta(t, 200_000, dec.Drop, 1e-6)

	r = as(t, "market", http.MethodGet, "/api/v1/reports/churn?half=2018H2&decline=0.25&format=xlsx&lang=en", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	require.NoError(t, err)
	rows, err := f.GetRows("Flagged customers")
	require.NoError(t, err)
	var ids []string
	for _, row := range rows[1:] {
		if strings.HasSuffix(row[0], tag) {
			ids = append(ids, row[0])
		}
	}
	require.Equal(t, []string{"CH1-" + tag}, ids, "at 25 % the 20 % drop is no longer flagged")
	require.Equal(t, http.StatusBadRequest, as(t, "market", http.MethodGet, "/api/v1/reports/churn?half=2018", nil).status)
}
