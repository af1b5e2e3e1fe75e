package activities

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
)

// ReportOwners are told when a report has been generated.
const ReportOwners = "department:market"

// GenerateReportRequest asks for one report: a kind, a period label (2026Q1,
// 2026H1, 2026, 2026-03) and optionally a branch. Key stores it once however
// often the activity is retried.
type GenerateReportRequest struct {
	Key       string `json:"key"`
	Kind      string `json:"kind"`
	Period    string `json:"period"`
	Branch    string `json:"branch,omitempty"`
	CreatedBy string `json:"created_by"`
}

// GenerateReport computes the report, renders it as an Excel workbook and
// keeps it as the next version of its kind and period.
func (a *Activities) GenerateReport(ctx context.Context, req GenerateReportRequest) (reports.Version, error) {
	if req.Kind != reports.KindComplaints {
		return reports.Version{}, temporal.NewNonRetryableApplicationError("unknown report kind "+req.Kind, "BadReport", nil)
	}
	p, err := reports.ParseLabel(req.Period)
	if err != nil {
		return reports.Version{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadReport", nil)
	}
	p.Branch = req.Branch
	an, err := a.Store.ComplaintAnalysis(ctx, p)
	if err != nil {
		return reports.Version{}, err
	}
	var buf bytes.Buffer
	if err := reports.WriteXLSX(&buf, an.Tables(reports.Chinese)); err != nil {
		return reports.Version{}, fmt.Errorf("write the workbook: %w", err)
	}
	return a.Store.SaveReportVersion(ctx, reports.Version{
		Kind: req.Kind, Period: strings.ToUpper(req.Period), Branch: req.Branch, Format: "xlsx", CreatedBy: req.CreatedBy,
	}, req.Key, buf.Bytes())
}

// NotifyReportOwners puts a task in the outbox for the report's owners with
// the link to download the version; once per version.
func (a *Activities) NotifyReportOwners(ctx context.Context, v reports.Version) error {
	link := strings.TrimSuffix(a.PublicURL, "/") + fmt.Sprintf("/api/v1/report-versions/%d", v.ID)
	scope := "全公司"
	if v.Branch != "" {
		scope = v.Branch
	}
	_, err := a.Store.Enqueue(ctx, []store.Notification{{
		Key: fmt.Sprintf("report-version:%d:owners", v.ID), Channel: "task", Recipient: ReportOwners,
		Subject: fmt.Sprintf("报告已生成：%s %s（第 %d 版）", reportTitle(v.Kind), v.Period, v.Version),
		Body:    fmt.Sprintf("%s %s（%s）第 %d 版已生成，请下载查阅：%s", reportTitle(v.Kind), v.Period, scope, v.Version, link),
		Link:    link, Related: fmt.Sprintf("report-version:%d", v.ID),
	}})
	return err
}

func reportTitle(kind string) string {
	if kind == reports.KindComplaints {
		return "客户投诉分析报告"
	}
	return kind
}
