package workflows

import "go.temporal.io/sdk/workflow"

// Registry is where workflows are registered: a worker, a replayer or the test environment.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// Register adds every cxflow workflow under its stable name.
func Register(r Registry) {
	r.RegisterWorkflowWithOptions(Complaint, workflow.RegisterOptions{Name: ComplaintWorkflow})
	r.RegisterWorkflowWithOptions(RolloutCalendar, workflow.RegisterOptions{Name: CalendarRolloutWorkflow})
	r.RegisterWorkflowWithOptions(Improvement, workflow.RegisterOptions{Name: ImprovementWorkflow})
	r.RegisterWorkflowWithOptions(SurveyCycle, workflow.RegisterOptions{Name: SurveyCycleWorkflow})
	r.RegisterWorkflowWithOptions(DeliveryFollowUp, workflow.RegisterOptions{Name: DeliveryFollowUpWorkflow})
	r.RegisterWorkflowWithOptions(GenerateReports, workflow.RegisterOptions{Name: GenerateReportsWorkflow})
	r.RegisterWorkflowWithOptions(SendMessage, workflow.RegisterOptions{Name: SendMessageWorkflow})
}
