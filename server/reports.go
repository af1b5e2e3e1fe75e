package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/reports"
)

// reportReaders may read the company's reports (the permission table's rule
// of app.OpDepartmentAssessment); branch heads read their own branch's
// complaint analysis.
var reportReaders = app.Who(app.OpDepartmentAssessment)

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

// reportPeriod reads the period of the query (reports.ParseQuery); false
// after a 400 naming the parameter.
func reportPeriod(c *gin.Context) (reports.Period, bool) {
	p, err := reports.ParseQuery(c.Query)
	var pe *reports.ParamError
	if errors.As(err, &pe) {
		abort(c, http.StatusBadRequest, pe.Error(), pe.Param)
		return p, false
	}
	return p, true
}

// complaintAnalysis serves the complaint analysis report (季度客户投诉分析报告)
// for a period, as JSON, CSV or an Excel workbook.
func (s *Server) complaintAnalysis(c *gin.Context) {
	p, ok := reportPeriod(c)
	if !ok {
		return
	}
	format, lang, ok := reportFormat(c)
	if !ok {
		return
	}
	p.Branch = c.Query("branch")
	a, err := s.app.ComplaintAnalysis(c, actor(c), p)
	if err != nil {
		s.fail(c, "compute the complaint analysis", err)
		return
	}
	name := "complaint-analysis-" + a.FromDate + "-" + a.ToDate
	if a.Branch != "" {
		name += "-" + a.Branch
	}
	s.writeReport(c, format, name, a, func() []reports.Table { return a.Tables(lang) })
}

func attachment(c *gin.Context, filename string) {
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
}
