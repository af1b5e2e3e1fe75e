package integration

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
)

// assessedComplaint writes a founded complaint assigned to a department into
// the read model, in 2018 where no other test's complaints fall.
func assessedComplaint(t *testing.T, received time.Time, sev complaint.Severity, dept string) string {
	t.Helper()
	at := received.UTC()
	id := uuid.NewString()
	number := "ASM-" + id[:8]
	c := complaint.Complaint{
		ID: id, Number: number, Status: complaint.StepClosed, Resolution: complaint.ResolutionResolved,
		Subject: "assessment", Severity: sev, Category: complaint.CategoryServiceQuality, Channel: complaint.ChannelPhone,
		ComplainantClass: complaint.ClassC, Department: dept, EscalationLevel: complaint.LevelOwner,
		ReceivedAt: at, CreatedAt: at, PolicyVersion: "p", Version: 1,
		Validation: &complaint.ValidationRecord{Founded: true, At: at},
	}
	require.NoError(t, store.New(stack.pool).SaveComplaint(context.Background(), c, nil, "", ""))
	return number
}

func TestDepartmentAssessmentThroughHTTP(t *testing.T) {
	general := assessedComplaint(t, time.Date(2018, 5, 10, 9, 0, 0, 0, reports.Location), complaint.SeverityGeneral, "engineering")
	major := assessedComplaint(t, time.Date(2018, 5, 31, 23, 59, 0, 0, reports.Location), complaint.SeverityMajor, "engineering")

	// The auditor enters a check; others may not.
	body := map[string]any{"department": "engineering", "month": "2018-05", "item": "服务规范执行", "earned": 45, "possible": 50, "note": "抽查10单"}
	r := as(t, "engineer", http.MethodPost, "/api/v1/assessment/checks", body)
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	require.Contains(t, string(r.body), "internal_auditor")
	r = as(t, "auditor", http.MethodPost, "/api/v1/assessment/checks", body)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var check assessment.AuditCheck
	r.json(t, &check)
	require.NotEmpty(t, check.ID)
	require.NotEmpty(t, check.Auditor)

	for field, bad := range map[string]map[string]any{
		"month":      {"department": "engineering", "month": "2018-13", "item": "x", "earned": 1, "possible": 2},
		"earned":     {"department": "engineering", "month": "2018-05", "item": "x", "possible": 2},
		"department": {"department": "no-such-dept", "month": "2018-05", "item": "x", "earned": 1, "possible": 2},
	} {
		r = as(t, "auditor", http.MethodPost, "/api/v1/assessment/checks", bad)
		require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
		require.Equal(t, field, r.field(t, "field"))
	}

	// Credits are the market department's.
	award := map[string]any{"department": "engineering", "year": 2018, "kind": "customer_award", "reason": "客户锦旗"}
	r = as(t, "auditor", http.MethodPost, "/api/v1/assessment/credits", award)
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	r = as(t, "market", http.MethodPost, "/api/v1/assessment/credits", award)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	r = as(t, "market", http.MethodPost, "/api/v1/assessment/credits", map[string]any{"department": "engineering", "year": 2018, "kind": "satisfaction_work", "points": 2, "reason": "x"})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	require.Equal(t, "points", r.field(t, "field"))

	// The monthly score: standards 45/50 × 50 = 45; no survey; complaints
	// 30 − 6 − 12 = 12: 57 of 80 measured = 71.25, fail.
	r = as(t, "quality", http.MethodGet, "/api/v1/reports/departments?month=2018-05", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var m server.MonthlyAssessment
	r.json(t, &m)
	require.Equal(t, "2018-05", m.Month)
	var eng *assessment.DepartmentMonthScore
	for i := range m.Departments {
		if m.Departments[i].Department == "engineering" {
			eng = &m.Departments[i]
		}
	}
	require.NotNil(t, eng, "%s", r.body)
	require.Equal(t, 45.0, eng.Standards.Points)
	require.Equal(t, []assessment.Evidence{{Kind: "audit_check", ID: check.ID, Label: "服务规范执行"}}, eng.Standards.Evidence)
	require.Equal(t, 12.0, eng.Complaints.Points)
	require.Len(t, eng.Complaints.Evidence, 2)
	require.Equal(t, general, eng.Complaints.Evidence[0].Label)
	require.Equal(t, major, eng.Complaints.Evidence[1].Label)
	require.False(t, eng.Survey.Measured)
	require.Equal(t, 71.25, eng.Score)
	require.Equal(t, "fail", eng.Rating)

	// The yearly adjustment: award +0.5, one major complaint −0.5: 0.
	r = as(t, "gm", http.MethodGet, "/api/v1/reports/departments?year=2018", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var y server.YearlyAssessment
	r.json(t, &y)
	for _, d := range y.Departments {
		if d.Department == "engineering" {
			require.Equal(t, 0.5, d.Awards.Points)
			require.Equal(t, -0.5, d.MajorComplaint.Points)
			require.Equal(t, major, d.MajorComplaint.Evidence[0].Label)
			require.Equal(t, 0.0, d.Total)
		}
	}

	// The workbook holds the score and the evidence.
	r = as(t, "auditor", http.MethodGet, "/api/v1/reports/departments?month=2018-05&format=xlsx&lang=en", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, r.header.Get("Content-Disposition"), "department-assessment-2018-05.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Basis")
	require.NoError(t, err)
	found := false
	for _, row := range rows {
		if len(row) >= 6 && row[0] == "engineering" && row[1] == "complaints" {
			found = true
			require.Equal(t, "12.00", row[2])
			require.True(t, strings.Contains(row[5], major) && strings.Contains(row[5], general), "%v", row)
		}
	}
	require.True(t, found, "%v", rows)
	scores, err := f.GetRows("Monthly service score")
	require.NoError(t, err)
	require.Equal(t, "Score", scores[0][6])

	r = as(t, "market", http.MethodGet, "/api/v1/reports/departments?month=2018-05&format=csv", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), "月度服务考评")

	// Refusals and bad parameters.
	r = as(t, "branch", http.MethodGet, "/api/v1/reports/departments?month=2018-05", nil)
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	for query, param := range map[string]string{"": "month", "month=2018-5": "month", "year=18": "year", "quarter=2018Q1": "quarter", "month=2018-05&format=pdf": "format"} {
		r = as(t, "quality", http.MethodGet, "/api/v1/reports/departments?"+query, nil)
		require.Equal(t, http.StatusBadRequest, r.status, "%s: %s", query, r.body)
		require.Equal(t, param, r.field(t, "field"), query)
	}
}

// An audit check sent twice with one Idempotency-Key — a retry, or a double
// click on the console's form — is stored once and counts once.
func TestAuditCheckIdempotency(t *testing.T) {
	item := "重复提交检查 " + uuid.NewString()[:8]
	body := map[string]any{"department": "engineering", "month": "2017-04", "item": item, "earned": 40, "possible": 50}
	send := func(b map[string]any, key string) response {
		return call(t, stack.api.URL, http.MethodPost, "/api/v1/assessment/checks", b,
			"Authorization", "Bearer "+tokenOf(t, "auditor"), "Idempotency-Key", key)
	}
	key := uuid.NewString()
	first, again := send(body, key), send(body, key)
	require.Equal(t, http.StatusCreated, first.status, "%s", first.body)
	require.Equal(t, http.StatusCreated, again.status, "%s", again.body)
	require.Equal(t, first.field(t, "id"), again.field(t, "id"))

	other := map[string]any{"department": "engineering", "month": "2017-04", "item": item, "earned": 10, "possible": 50}
	r := send(other, key)
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	require.Equal(t, "Idempotency-Key", r.field(t, "field"))

	// Through the console's form, posted twice.
	auditor := browser(t, "auditor")
	_, form := page(t, auditor, http.MethodGet, "/reports/departments?by=month&period=2017-04", nil)
	m := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(form)
	require.Len(t, m, 2, "the check form carries a key")
	entry := url.Values{"idempotency_key": {m[1]}, "department": {"engineering"}, "month": {"2017-04"},
		"item": {item + " 表单"}, "earned": {"30"}, "possible": {"50"}, "view_by": {"month"}, "view_period": {"2017-04"}}
	for range 2 {
		code, body := page(t, auditor, http.MethodPost, "/reports/departments/checks", entry)
		require.Equal(t, http.StatusOK, code, body)
	}
	rep := as(t, "quality", http.MethodGet, "/api/v1/reports/departments?month=2017-04", nil)
	require.Equal(t, http.StatusOK, rep.status, "%s", rep.body)
	require.Equal(t, 1, strings.Count(string(rep.body), item+" 表单"), "the double submit stored one check")
	require.Equal(t, 1, strings.Count(string(rep.body), `"`+item+`"`), "the retried request stored one check")
}
