package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
)

// reportReaders may read the company's reports; branch heads read their own
// branch's.
var reportReaders = []org.Role{
	org.RoleMarketDepartment, org.RoleQualityDepartment, org.RoleGeneralManager,
	org.RoleInternalAuditor, org.RoleAdministrator,
}

// requireReportReader lets the report readers and branch heads through.
var requireReportReader = requireRole("reports", append(reportReaders, org.RoleBranchHead)...)

const (
	contentTypeCSV  = "text/csv; charset=utf-8"
	contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// reportFormat reads format and lang; false after a 400.
func reportFormat(c *gin.Context) (string, reports.Language, bool) {
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" && format != "xlsx" {
		abort(c, http.StatusBadRequest, "format must be json, csv or xlsx", "format")
		return "", "", false
	}
	lang := reports.Language(c.DefaultQuery("lang", string(reports.Chinese)))
	if lang != reports.Chinese && lang != reports.English {
		abort(c, http.StatusBadRequest, "lang must be zh or en", "lang")
		return "", "", false
	}
	return format, lang, true
}

// complaintAnalysis serves the complaint analysis report (季度客户投诉分析报告)
// for a period, as JSON, CSV or an Excel workbook.
func (s *Server) complaintAnalysis(c *gin.Context) {
	p, err := reports.ParseQuery(c.Query)
	var pe *reports.ParamError
	if errors.As(err, &pe) {
		abort(c, http.StatusBadRequest, pe.Error(), pe.Param)
		return
	}
	format, lang, ok := reportFormat(c)
	if !ok {
		return
	}
	p.Branch = c.Query("branch")
	if !s.mayReadBranchReport(c, &p) {
		return
	}

	a, err := s.store.ComplaintAnalysis(c, p)
	if err != nil {
		s.internal(c, "compute the complaint analysis", err)
		return
	}
	name := "complaint-analysis-" + a.FromDate + "-" + a.ToDate
	if p.Branch != "" {
		name += "-" + p.Branch
	}
	s.writeReport(c, format, name, a, func() []reports.Table { return a.Tables(lang) })
}

// mayReadBranchReport checks the branch asked for: it must be a branch, and a
// branch head (without a company-wide role) reads only their own, which is
// also what they get when they name none.
func (s *Server) mayReadBranchReport(c *gin.Context, p *reports.Period) bool {
	a := actor(c)
	if !slices.ContainsFunc(reportReaders, a.Has) {
		if p.Branch == "" {
			p.Branch = a.Department
		}
		if p.Branch != a.Department {
			abort(c, http.StatusForbidden, "a branch head reads the reports of their own branch ("+a.Department+") only", "")
			return false
		}
	}
	if p.Branch == "" {
		return true
	}
	_, ok := s.branch(c, p.Branch)
	return ok
}

func attachment(c *gin.Context, filename string) {
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
}
