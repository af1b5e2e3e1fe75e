package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
)

// dashboardScoped see the dashboard of what their own unit is involved in: a
// branch head their branch's complaints, a department head their
// department's. The report readers see the whole company's.
var dashboardScoped = []org.Role{org.RoleBranchHead, org.RoleDepartmentHead}

// dashboardReaders may open the management dashboard.
var dashboardReaders = append(slices.Clone(reportReaders), dashboardScoped...)

var requireDashboardReader = requireRole("the management dashboard", dashboardReaders...)

// dashboardUrgent is how many overdue and how many escalated complaints the
// dashboard lists, the most urgent first.
const dashboardUrgent = 20

// dashboard serves the management dashboard (管理看板) of the complaints the
// caller may read: the company's (or one branch's, with branch) for the report
// readers, the complaints their branch or department is involved in for a
// branch or department head — the read rule of GET /api/v1/complaints.
func (s *Server) dashboard(c *gin.Context) {
	a := actor(c)
	q := store.DashboardQuery{Now: s.now(), Location: s.orgLocation(), Urgent: dashboardUrgent, Late: s.lateness(c)}
	scope := store.DashboardScope{Kind: store.ScopeCompany}
	branch := strings.TrimSpace(c.Query("branch"))
	companyWide := slices.ContainsFunc(reportReaders, a.Has)
	switch {
	case companyWide && branch != "":
		d, ok := s.branch(c, branch)
		if !ok {
			return
		}
		q.Branch, scope.Branch, scope.Name = d.ID, d.ID, d.Name
	case companyWide:
	case a.Has(org.RoleBranchHead) && (branch == "" || branch == a.Department):
		q.Involving = a.Department
		scope = store.DashboardScope{Kind: store.ScopeBranch, Branch: a.Department}
	case a.Has(org.RoleBranchHead):
		abort(c, http.StatusForbidden, "a branch head sees the dashboard of their own branch ("+a.Department+") only", "branch")
		return
	case branch != "":
		abort(c, http.StatusForbidden, "a department head sees the complaints their department ("+a.Department+
			") is involved in; the branch filter is for those who read the whole company's complaints", "branch")
		return
	default:
		q.Involving = a.Department
		scope = store.DashboardScope{Kind: store.ScopeDepartment, Department: a.Department}
	}
	if scope.Kind != store.ScopeCompany {
		scope.Name = a.Department
		d, err := s.store.Department(c, a.Department)
		switch {
		case err == nil:
			scope.Name = d.Name
		case !errors.Is(err, store.ErrNotFound):
			s.internal(c, "read the department", err)
			return
		}
	}
	d, err := s.store.Dashboard(c, q)
	if err != nil {
		s.internal(c, "compute the dashboard", err)
		return
	}
	d.Scope = scope
	c.JSON(http.StatusOK, d)
}

// branch reads the branch a request names (a filter, or a complaint's); false
// after a 400 for an ID that is no branch.
func (s *Server) branch(c *gin.Context, id string) (org.Department, bool) {
	d, err := s.store.Department(c, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Kind != org.KindBranch) {
		abort(c, http.StatusBadRequest, "branch must be the ID of a branch (see GET /api/v1/departments)", "branch")
		return d, false
	}
	if err != nil {
		s.internal(c, "read the branch", err)
		return d, false
	}
	return d, true
}

// orgLocation is the organisation's time zone, in which the dashboard's
// months and quarters begin.
func (s *Server) orgLocation() *time.Location {
	if s.security.Location != nil {
		return s.security.Location
	}
	return reports.Location
}

// lateness measures how long a step has been past due: in working time on
// the complaint's calendar for a working-time step, else (or when the
// calendar cannot be read) every hour.
func (s *Server) lateness(ctx context.Context) func(string, complaint.ClockKind, time.Time, time.Time) (time.Duration, complaint.ClockKind) {
	return func(cal string, clock complaint.ClockKind, from, to time.Time) (time.Duration, complaint.ClockKind) {
		if clock == complaint.ClockWorking && cal != "" {
			h, err := s.app.Hours(ctx, cal)
			if err == nil {
				return h.Elapsed(from, to), complaint.ClockWorking
			}
			s.log.Warn("calendar unavailable for the dashboard's lateness", "calendar", cal, "err", err)
		}
		return to.Sub(from), complaint.ClockCalendar
	}
}
