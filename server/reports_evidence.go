package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/reports"
)

// evidenceReaders may read the audit evidence (审核证据, app.OpAuditEvidence).
var evidenceReaders = app.Who(app.OpAuditEvidence)

// auditEvidence serves every complaint and survey cycle event of a period,
// each mapped to the ISO 10002 / ISO 10004 clauses it evidences.
func (s *Server) auditEvidence(c *gin.Context) {
	p, ok := reportPeriod(c)
	if !ok {
		return
	}
	format, lang, ok := reportFormat(c)
	if !ok {
		return
	}
	p.Branch = c.Query("branch")
	e, err := s.app.AuditEvidence(c, actor(c), p)
	if err != nil {
		s.fail(c, "collect the audit evidence", err)
		return
	}
	name := "audit-evidence-" + e.FromDate + "-" + e.ToDate
	if e.Branch != "" {
		name += "-" + e.Branch
	}
	s.writeReport(c, format, name, e, func() []reports.Table { return e.Tables(lang) })
}

// RegenerateRequest asks for a report to be generated again, as a new version.
type RegenerateRequest = app.RegenerateRequest

// RegenerateStarted names the workflow generating the report.
type RegenerateStarted = app.RegenerateStarted

func (s *Server) regenerateReport(c *gin.Context) {
	var in RegenerateRequest
	if !bindJSON(c, &in, "") {
		return
	}
	started, err := s.app.RegenerateReport(c, actor(c), in)
	if err != nil {
		s.fail(c, "start the report generation", err)
		return
	}
	c.Set(auditWorkflowKey, started.WorkflowID)
	c.JSON(http.StatusAccepted, started)
}

// ReportVersionList is the kept versions, newest first.
type ReportVersionList struct {
	Items []reports.Version `json:"items"`
}

func (s *Server) listReportVersions(c *gin.Context) {
	list, err := s.app.ReportVersions(c, actor(c), c.Query("kind"), c.Query("period"))
	if err != nil {
		s.fail(c, "list report versions", err)
		return
	}
	c.JSON(http.StatusOK, ReportVersionList{Items: list})
}

func (s *Server) getReportVersion(c *gin.Context) {
	v, data, err := s.app.ReportVersion(c, actor(c), app.ReportVersionID(c.Param("id")))
	if err != nil {
		s.fail(c, "read the report version", err)
		return
	}
	ct := "application/octet-stream"
	switch v.Format {
	case "xlsx":
		ct = contentTypeXLSX
	case "csv":
		ct = contentTypeCSV
	}
	attachment(c, v.Filename())
	c.Data(http.StatusOK, ct, data)
}
