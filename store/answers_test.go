package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
)

// An answer through a link can be read back to change it while the cycle is
// open — in an anonymous cycle too, where the row itself names no customer —
// and not once the cycle has closed.
func TestPreviousAnswer(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 6, 2, 0, 0, 0, time.UTC)
	// A webhook subscribed to survey.answered gets an event with each answer,
	// written in the answer's transaction.
	hook, err := s.CreateWebhook(ctx, store.Webhook{ID: uuid.NewString(), URL: "https://hooks.example.com/x", Events: []string{"survey.answered"},
		SecretKeyID: "k", Secret: []byte("sealed"), CreatedBy: "admin"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.DeleteWebhook(context.Background(), hook.ID) })
	for _, anonymous := range []bool{false, true} {
		tag := uuid.NewString()[:8]
		cust := survey.Customer{ID: "C-" + tag, Name: "华东电气 " + tag, AnnualVolume: 2_000_000, YearsAsCustomer: 3}
		require.NoError(t, s.UpsertCustomers(ctx, []survey.Customer{cust}))
		prog := survey.DefaultProgramme()
		prog.Questionnaire.Anonymous = anonymous
		d, err := s.SaveDefinition(ctx, survey.Definition{ID: uuid.NewString(), Name: "调查 " + tag, Programme: prog, Run: survey.DefaultRun(),
			Schedule: survey.Schedule{Kind: survey.ScheduleManual}}, 0)
		require.NoError(t, err)
		cycle := uuid.NewString()
		require.NoError(t, s.CreateCycle(ctx, cycle, "wf-"+cycle, d))
		_, err = s.SaveSelections(ctx, cycle, []survey.Selection{{CustomerID: cust.ID, Reason: "test", Chosen: true}})
		require.NoError(t, err)
		_, err = s.OpenCycle(ctx, cycle, survey.ChannelLink, at, at.Add(14*24*time.Hour))
		require.NoError(t, err)
		invs, err := s.Invitations(ctx, cycle, 10)
		require.NoError(t, err)
		require.Len(t, invs, 1)
		inv := invs[0].ID

		prev, err := s.PreviousAnswer(ctx, inv, anonymous)
		require.NoError(t, err)
		require.Nil(t, prev, "nothing answered yet")

		eight := 8
		a := survey.Answer{Ratings: map[string]string{"service": survey.LevelSatisfied}, Recommend: &eight, Comment: "还可以", Segment: "device"}
		require.NoError(t, s.SaveAnswer(ctx, inv, anonymous, store.AnswerRecord{Answer: a, Channel: survey.ChannelLink, Respondent: "customer", AnsweredAt: at}))
		events, err := s.Outbox(ctx, store.OutboxFilter{Related: "survey-cycle:" + cycle, Channel: "webhook", Limit: 10})
		require.NoError(t, err)
		require.Len(t, events, 1)
		require.Equal(t, "survey.answered", events[0].Subject)
		require.Equal(t, "webhook:"+hook.ID, events[0].Recipient)
		require.Contains(t, events[0].Body, cycle)
		if anonymous {
			require.NotContains(t, events[0].Body, cust.ID, "an anonymous answer's event names no customer")
			require.NotContains(t, events[0].Body, inv, "nor its invitation")
		} else {
			require.Contains(t, events[0].Body, cust.ID)
		}
		prev, err = s.PreviousAnswer(ctx, inv, anonymous)
		require.NoError(t, err)
		require.NotNil(t, prev, "anonymous %v", anonymous)
		require.Equal(t, a.Ratings, prev.Ratings)
		require.Equal(t, 8, *prev.Recommend)
		require.Equal(t, "还可以", prev.Comment)

		var withCustomer int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM survey_answers WHERE cycle_id = $1 AND customer_id IS NOT NULL`, cycle).Scan(&withCustomer))
		if anonymous {
			require.Zero(t, withCustomer, "an anonymous answer names no customer")
		} else {
			require.Equal(t, 1, withCustomer)
		}

		require.NoError(t, s.CloseCycle(ctx, cycle, survey.Stats{}, at.Add(15*24*time.Hour)))
		prev, err = s.PreviousAnswer(ctx, inv, anonymous)
		require.NoError(t, err)
		require.Nil(t, prev, "closed: the answer is no longer the customer's to change")
	}
}
