package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/reports"
)

// dashboardReaders may open the management dashboard (app.OpDashboard).
var dashboardReaders = app.Who(app.OpDashboard)

// dashboard serves the management dashboard (管理看板) of the complaints the
// caller may read (app.Dashboard): the company's (or one branch's, with
// branch) for the report readers, the complaints their branch or department
// is involved in for a branch or department head.
func (s *Server) dashboard(c *gin.Context) {
	d, err := s.app.Dashboard(c, actor(c), app.DashboardInput{Branch: c.Query("branch"), Location: s.orgLocation()})
	if err != nil {
		s.fail(c, "compute the dashboard", err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// orgLocation is the organisation's time zone, in which the dashboard's
// months and quarters begin.
func (s *Server) orgLocation() *time.Location {
	if s.security.Location != nil {
		return s.security.Location
	}
	return reports.Location
}
