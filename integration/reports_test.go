package integration

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
)

// reportComplaint writes a complaint straight into the read model, received at
// a wall-clock time in Asia/Shanghai, in 2019 where no other test's complaints fall.
func reportComplaint(t *testing.T, received time.Time, cat complaint.Category, branch string, loss float64) {
	t.Helper()
	at := received.UTC()
	done := at.Add(3 * time.Hour)
	id := uuid.NewString()
	c := complaint.Complaint{
		ID: id, Number: "RPT-" + id[:8], Status: complaint.StepClosed, Resolution: complaint.ResolutionResolved,
		Subject: "report", Severity: complaint.SeveritySlight, Category: cat, Channel: complaint.ChannelPhone,
		ComplainantClass: complaint.ClassB, Branch: branch, Department: "engineering", EstimatedLoss: loss,
		EscalationLevel: complaint.LevelOwner, ReceivedAt: at, CreatedAt: at, PolicyVersion: "p", Version: 1,
		Validation: &complaint.ValidationRecord{Founded: true, At: at},
		Review:     &complaint.ReviewRecord{Summary: "s", CauseType: complaint.CauseChance, At: done},
		Deadlines: []complaint.Deadline{{
			Step: complaint.StepValidation, StartedAt: at, DueAt: at.Add(8 * time.Hour), CompletedAt: &done, SLAStatus: complaint.SLAOnTrack,
		}},
	}
	require.NoError(t, store.New(stack.pool).SaveComplaint(context.Background(), c, nil, "", ""))
}

func TestComplaintAnalysisReport(t *testing.T) {
	sh := func(m time.Month, d, h, min, s int) time.Time {
		return time.Date(2019, m, d, h, min, s, 0, reports.Location)
	}
	// 2019Q2: three complaints, the last at its last second; one on the next
	// quarter's first instant, which is not in it.
	reportComplaint(t, sh(4, 1, 0, 0, 0), complaint.CategoryContract, "", 1000)
	reportComplaint(t, sh(5, 15, 10, 0, 0), complaint.CategoryServiceQuality, "branch-zhengzhou", 2000.5)
	reportComplaint(t, sh(6, 30, 23, 59, 59), complaint.CategoryContract, "", 0)
	reportComplaint(t, sh(7, 1, 0, 0, 0), complaint.CategoryContract, "", 99)
	const path = "/api/v1/reports/complaints?quarter=2019Q2"

	t.Run("JSON for the market department", func(t *testing.T) {
		r := as(t, "market", http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var a reports.ComplaintAnalysis
		r.json(t, &a)
		require.Equal(t, "2019-04-01", a.FromDate)
		require.Equal(t, "2019-06-30", a.ToDate)
		require.Equal(t, 3, a.Total)
		require.Equal(t, 3000.5, a.DirectLoss)
		require.Equal(t, "contract", a.ByCategory[2].Key)
		require.Equal(t, 2, a.ByCategory[2].Count)
		require.Equal(t, 1, a.ByCategory[1].Count)
		require.Equal(t, 3, a.Steps[0].Completed)
		require.Equal(t, 3.0, *a.Steps[0].MedianHours)
		require.Equal(t, 3, a.CauseTypes[0].Count)
		require.Equal(t, 0, a.PreviousPeriod.Total)

		r = as(t, "market", http.MethodGet, "/api/v1/reports/complaints?from=2019-06-30&to=2019-07-01", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		require.EqualValues(t, 2, r.field(t, "total"), "30 June 23:59:59 and 1 July 00:00:00")
	})

	t.Run("an Excel workbook", func(t *testing.T) {
		r := as(t, "quality", http.MethodGet, path+"&format=xlsx", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", r.header.Get("Content-Type"))
		require.Contains(t, r.header.Get("Content-Disposition"), "complaint-analysis-2019-04-01-2019-06-30.xlsx")
		f, err := excelize.OpenReader(bytes.NewReader(r.body))
		require.NoError(t, err)
		defer f.Close()
		require.Equal(t, "概要", f.GetSheetList()[0])
		rows, err := f.GetRows("概要")
		require.NoError(t, err)
		require.Equal(t, []string{"指标", "数值"}, rows[0])
		require.Equal(t, []string{"投诉总数", "3"}, rows[4])
		typ, err := f.GetCellType("概要", "B5")
		require.NoError(t, err)
		require.Contains(t, []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}, typ, "the total is a number")
		loss, _ := f.GetCellValue("概要", "B12", excelize.Options{RawCellValue: true})
		require.Equal(t, "3000.5", loss)
		cats, err := f.GetRows("按投诉类别")
		require.NoError(t, err)
		require.Equal(t, []string{"投诉类别", "数量", "占比"}, cats[0])
		require.Equal(t, []string{"合同投诉", "2", "66.67%"}, cats[3])
		raw, _ := f.GetCellValue("按投诉类别", "C4", excelize.Options{RawCellValue: true})
		require.Equal(t, "0.6667", raw, "shares are fractions shown as percentages")

		r = as(t, "auditor", http.MethodGet, path+"&format=xlsx&lang=en", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		en, err := excelize.OpenReader(bytes.NewReader(r.body))
		require.NoError(t, err)
		defer en.Close()
		require.Equal(t, "Summary", en.GetSheetList()[0])
		h, _ := en.GetCellValue("By category", "A1")
		require.Equal(t, "Category", h)
	})

	t.Run("CSV", func(t *testing.T) {
		r := as(t, "gm", http.MethodGet, path+"&format=csv", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		require.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
		require.True(t, bytes.HasPrefix(r.body, []byte("\xEF\xBB\xBF概要\n")), "UTF-8 with a BOM")
		require.Contains(t, string(r.body), "\n投诉总数,3\n")
		require.Contains(t, string(r.body), "\n合同投诉,2,66.67%\n")
	})

	t.Run("who may read it", func(t *testing.T) {
		r := as(t, "engineer", http.MethodGet, path, nil)
		require.Equal(t, http.StatusForbidden, r.status, "a department member: %s", r.body)
		// A branch head gets their own branch's figures, and no other's.
		r = as(t, "branch", http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		require.EqualValues(t, 1, r.field(t, "total"))
		require.Equal(t, "branch-zhengzhou", r.field(t, "branch"))
		r = as(t, "branch", http.MethodGet, path+"&branch=branch-elsewhere", nil)
		require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
		r = as(t, "market", http.MethodGet, path+"&branch=branch-zhengzhou", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		require.EqualValues(t, 1, r.field(t, "total"))
	})

	t.Run("bad parameters", func(t *testing.T) {
		for q, field := range map[string]string{
			"quarter=2026Q5":                  "quarter",
			"":                                "quarter",
			"from=2026-01-01":                 "to",
			"month=2026-3x":                   "month",
			"quarter=2026Q1&format=pdf":       "format",
			"quarter=2026Q1&lang=fr":          "lang",
			"quarter=2026Q1&branch=marketing": "branch",
		} {
			r := as(t, "market", http.MethodGet, "/api/v1/reports/complaints?"+q, nil)
			require.Equal(t, http.StatusBadRequest, r.status, "%s: %s", q, r.body)
			require.Equal(t, field, r.field(t, "field"), fmt.Sprintf("%s: %s", q, r.body))
		}
	})
}
