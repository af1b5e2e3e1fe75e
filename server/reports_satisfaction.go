package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/reports"
)

// volumeImporters may import purchase volumes (app.OpImportVolumes).
var volumeImporters = app.Who(app.OpImportVolumes)

// writeReport sends v as JSON or its tables as CSV or a workbook named name.
func (s *Server) writeReport(c *gin.Context, format, name string, v any, tables func() []reports.Table) {
	var buf bytes.Buffer
	switch format {
	case "csv":
		if err := reports.WriteCSV(&buf, tables()); err != nil {
			s.internal(c, "write the CSV", err)
			return
		}
		attachment(c, name+".csv")
		c.Data(http.StatusOK, contentTypeCSV, buf.Bytes())
	case "xlsx":
		if err := reports.WriteXLSX(&buf, tables()); err != nil {
			s.internal(c, "write the workbook", err)
			return
		}
		attachment(c, name+".xlsx")
		c.Data(http.StatusOK, contentTypeXLSX, buf.Bytes())
	default:
		c.JSON(http.StatusOK, v)
	}
}

// satisfactionReport serves the satisfaction analysis report (半年度满意度分析报告).
func (s *Server) satisfactionReport(c *gin.Context) {
	p, ok := reportPeriod(c)
	if !ok {
		return
	}
	programme := c.Query("programme")
	if programme != "" {
		if _, err := uuid.Parse(programme); err != nil {
			abort(c, http.StatusBadRequest, "programme must be a survey programme's ID (a UUID)", "programme")
			return
		}
	}
	format, lang, ok := reportFormat(c)
	if !ok {
		return
	}
	r, err := s.app.SatisfactionReport(c, actor(c), p, programme)
	if err != nil {
		s.fail(c, "compute the satisfaction report", err)
		return
	}
	name := "satisfaction-" + r.FromDate + "-" + r.ToDate
	s.writeReport(c, format, name, r, func() []reports.Table { return r.Tables(lang) })
}

// VolumeImportResult is what a volume import did.
type VolumeImportResult = app.VolumeImportResult

// importVolumes saves purchase volumes per customer and half year from a CSV
// file: the file is read here (reports.ParseVolumesCSV), saved by
// app.ImportVolumes.
func (s *Server) importVolumes(c *gin.Context) {
	// The body is bounded by maxBody (1 MiB, some 25,000 rows): split larger files.
	vs, rowErrs, err := reports.ParseVolumesCSV(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		abort(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("the CSV file is larger than %d bytes; split it", maxBody), "")
		return
	}
	if err != nil {
		abort(c, http.StatusBadRequest, "the CSV file cannot be read: "+err.Error(), "file")
		return
	}
	res, err := s.app.ImportVolumes(c, actor(c), vs, rowErrs)
	if err != nil {
		s.fail(c, "save the volumes", err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// churnReport serves the customer churn and volume-decline analysis (客户流失统计).
func (s *Server) churnReport(c *gin.Context) {
	h, ok := reports.ParseHalf(c.Query("half"))
	if !ok {
		abort(c, http.StatusBadRequest, "half must be a half year such as 2026H1", "half")
		return
	}
	share := reports.DefaultDeclineShare
	if v := c.Query("decline"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0 && f < 1) {
			abort(c, http.StatusBadRequest, "decline must be a share between 0 and 1, e.g. 0.2 for 20 %", "decline")
			return
		}
		share = f
	}
	format, lang, ok := reportFormat(c)
	if !ok {
		return
	}
	r, err := s.app.ChurnReport(c, actor(c), h, share)
	if err != nil {
		s.fail(c, "compute the churn report", err)
		return
	}
	s.writeReport(c, format, "churn-"+r.Half, r, func() []reports.Table { return r.Tables(lang) })
}
