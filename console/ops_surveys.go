package console

import (
	"context"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/survey"
)

// surveyOps are the survey area's operations the pages call: programmes,
// their schedules, cycles, invitations and the staff's answers. The
// customers' pages behind their signed links still reach the API in-process
// (Backend.API): the link is verified where its signer is, in the server.
type surveyOps interface {
	Programmes(ctx context.Context, by complaint.Actor) ([]survey.Definition, error)
	Programme(ctx context.Context, by complaint.Actor, id string) (survey.Definition, error)
	Schedule(ctx context.Context, by complaint.Actor, programmeID string) (app.ScheduleState, error)
	ChangeSchedule(ctx context.Context, by complaint.Actor, programmeID string, action app.ScheduleAction, note string) (app.ScheduleState, error)
	StartCycle(ctx context.Context, by complaint.Actor, programmeID string, in app.CycleRequest) (app.StartedCycle, error)
	Cycles(ctx context.Context, by complaint.Actor, programmeID string) ([]app.Cycle, error)
	Cycle(ctx context.Context, by complaint.Actor, id string) (app.Cycle, error)
	Invitations(ctx context.Context, by complaint.Actor, cycleID string) (app.CycleInvitations, error)
	EnterAnswer(ctx context.Context, by complaint.Actor, cycleID string, in app.StaffAnswer) (app.AnswerSaved, error)
}

// The survey pages show the operations' types.
type (
	surveyCycle   = app.Cycle
	scheduleState = app.ScheduleState
)
