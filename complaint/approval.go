package complaint

// Level is a rung of the organisation that approves plans and receives
// escalations, from the step's owner up to the general manager.
type Level string

const (
	LevelOwner            Level = "owner"
	LevelDepartmentHead   Level = "department_head"   // 主管领导 · 部门经理
	LevelMarketDepartment Level = "market_department" // 总部市场部
	LevelGeneralManager   Level = "general_manager"   // 总经理
)

// Levels lists the levels from lowest to highest.
var Levels = []Level{LevelOwner, LevelDepartmentHead, LevelMarketDepartment, LevelGeneralManager}

// ApprovalLevels are the levels that can approve a plan, in the order they must approve.
var ApprovalLevels = []Level{LevelDepartmentHead, LevelMarketDepartment, LevelGeneralManager}

// Rank orders levels; -1 for an unknown one.
func (l Level) Rank() int {
	for i, o := range Levels {
		if o == l {
			return i
		}
	}
	return -1
}

// ApprovalRule says which severities and cases need which approvals (002 第二十一条(六), 第二十三条).
type ApprovalRule struct {
	// MarketDepartmentFrom: cases this severe or worse go up to HQ's market department.
	MarketDepartmentFrom Severity `json:"market_department_from" doc:"Cases this severe or worse also go to HQ's market department."`
	// BranchToMarketDepartment: a branch's cases are reported to HQ's market department.
	BranchToMarketDepartment bool `json:"branch_to_market_department" doc:"Whether a branch's cases also go to HQ's market department."`
	// GeneralManagerFrom: cases this severe or worse also need the general manager.
	GeneralManagerFrom Severity `json:"general_manager_from" doc:"Cases this severe or worse also need the general manager."`
}

// RequiredApprovals lists the approval levels a plan needs, in order. The
// responsible department's head always approves.
func (r ApprovalRule) RequiredApprovals(sev Severity, branch string) []Level {
	levels := []Level{LevelDepartmentHead}
	if sev.AtLeast(r.MarketDepartmentFrom) || (branch != "" && r.BranchToMarketDepartment) {
		levels = append(levels, LevelMarketDepartment)
	}
	if sev.AtLeast(r.GeneralManagerFrom) {
		levels = append(levels, LevelGeneralManager)
	}
	return levels
}
