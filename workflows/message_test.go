package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/cxflow/cxflow/activities"
)

// sendMessage runs SendMessage with the delivery activity answering from
// outcomes, one per attempt (the last repeats), and reports the attempts
// made, the failure recorded (if any) and the time the run took on the
// test's skipping clock.
func sendMessage(t *testing.T, retry MessageRetry, outcomes ...error) (attempts int, failed *activities.FailedMessage, took time.Duration) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	Register(env)
	var mu sync.Mutex
	env.OnActivity(acts.DeliverMessage, mock.Anything, mock.Anything).Return(func(context.Context, activities.MessageRequest) error {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		return outcomes[min(attempts, len(outcomes))-1]
	})
	env.OnActivity(acts.FailMessage, mock.Anything, mock.Anything).Return(func(_ context.Context, f activities.FailedMessage) error {
		mu.Lock()
		defer mu.Unlock()
		failed = &f
		return nil
	})
	env.ExecuteWorkflow(SendMessageWorkflow, MessageDelivery{NotificationID: 42, Retry: retry})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var out MessageOutcome
	require.NoError(t, env.GetWorkflowResult(&out))
	require.Equal(t, failed == nil, out.Sent, "the outcome says what the outbox says")
	return attempts, failed, env.Now().Sub(start)
}

func TestSendMessageDeliversOnce(t *testing.T) {
	n, failed, _ := sendMessage(t, MessageRetry{}, nil)
	require.Equal(t, 1, n)
	require.Nil(t, failed)
}

// A mail server down for a while: the delivery waits with growing pauses
// and goes through when it is back; nothing is marked failed.
func TestSendMessageWaitsOutAServerThatIsDown(t *testing.T) {
	down := errors.New("dial tcp 127.0.0.1:1025: connection refused")
	n, failed, took := sendMessage(t, MessageRetry{}, down, down, down, nil)
	require.Equal(t, 4, n)
	require.Nil(t, failed)
	// 30 s, 1 min, 2 min between the attempts.
	require.GreaterOrEqual(t, took, 3*time.Minute+30*time.Second)
}

// A permanent refusal (5xx) is not retried: the message is failed at once
// with the server's words.
func TestSendMessageStopsAtAPermanentRefusal(t *testing.T) {
	refused := temporal.NewNonRetryableApplicationError("550 5.1.1 mailbox unknown", activities.ErrPermanentRefusal, nil)
	n, failed, _ := sendMessage(t, MessageRetry{}, refused)
	require.Equal(t, 1, n)
	require.NotNil(t, failed)
	require.Equal(t, int64(42), failed.NotificationID)
	require.Equal(t, "550 5.1.1 mailbox unknown", failed.Reason)
}

// Temporary failures that never end use up the attempts the policy allows,
// then fail the message with the last reason.
func TestSendMessageGivesUpAfterItsAttempts(t *testing.T) {
	busy := errors.New("421 4.3.2 service not available")
	n, failed, _ := sendMessage(t, MessageRetry{FirstWait: time.Second, MaxWait: time.Minute, Attempts: 3}, busy)
	require.Equal(t, 3, n)
	require.NotNil(t, failed)
	require.Contains(t, failed.Reason, "421 4.3.2 service not available")
}
