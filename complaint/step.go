// Package complaint holds the complaint procedure's vocabulary and rules
// (domain.md §2): steps, classification, approval levels, the time-limit policy,
// the inputs of each human step and the complaint view. Pure Go, no I/O: both
// the workflow and the HTTP API depend on it.
package complaint

// Step is a stage of the complaint lifecycle; the complaint's status is the step
// awaiting action.
type Step string

const (
	StepRecord     Step = "record"
	StepValidation Step = "validation"
	StepAssignment Step = "assignment"
	StepRootCause  Step = "root_cause"
	StepPlan       Step = "plan"
	StepApproval   Step = "approval"
	StepExecution  Step = "execution"
	StepCallback   Step = "callback"
	StepReview     Step = "review"
	StepClosed     Step = "closed"
)

// ActionSteps are the steps a person acts on, in lifecycle order.
var ActionSteps = []Step{
	StepValidation, StepAssignment, StepRootCause, StepPlan,
	StepApproval, StepExecution, StepCallback, StepReview,
}

// Valid reports whether s names a status a complaint can have.
func (s Step) Valid() bool {
	if s == StepClosed {
		return true
	}
	for _, a := range ActionSteps {
		if a == s {
			return true
		}
	}
	return false
}

// Label is the step's name in the procedure's own words.
func (s Step) Label() string {
	switch s {
	case StepRecord:
		return "记录投诉"
	case StepValidation:
		return "判定投诉"
	case StepAssignment:
		return "确定责任部门"
	case StepRootCause:
		return "分析原因"
	case StepPlan:
		return "提出处理方案"
	case StepApproval:
		return "主管领导批示"
	case StepExecution:
		return "实施处理方案"
	case StepCallback:
		return "回访"
	case StepReview:
		return "总结评价"
	case StepClosed:
		return "已关闭"
	}
	return string(s)
}

// Resolution says how a closed complaint ended.
type Resolution string

const (
	ResolutionResolved   Resolution = "resolved"
	ResolutionNotFounded Resolution = "not_founded"
)

// Resolutions lists how a complaint can end.
var Resolutions = []Resolution{ResolutionResolved, ResolutionNotFounded}
