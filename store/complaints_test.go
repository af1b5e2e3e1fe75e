package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/migrations"
	"github.com/cxflow/cxflow/store"
)

// newStore starts a throwaway PostgreSQL with the schema applied.
func newStore(t *testing.T) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	dir, err := os.MkdirTemp("", "cxflow-store-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) // reachable by the postgres user when root
	ctx := context.Background()
	pg, err := devstack.StartPostgres(ctx, devstack.PostgresOptions{DataDir: filepath.Join(dir, "pg")})
	require.NoError(t, err)
	t.Cleanup(func() { pg.Stop() })
	require.NoError(t, pg.EnsureDatabase(ctx, "cxflow"))
	pool, err := pgxpool.New(ctx, pg.URL("cxflow"))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	require.NoError(t, migrations.Up(ctx, pool, nil))
	require.NoError(t, migrations.Up(ctx, pool, nil), "migrating twice is a no-op")
	return store.New(pool), pool
}

func TestStore(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()

	t.Run("numbers are per year and stable per complaint", func(t *testing.T) {
		a, b := uuid.NewString(), uuid.NewString()
		n1, err := s.AllocateNumber(ctx, a, "TS", 2026)
		require.NoError(t, err)
		again, err := s.AllocateNumber(ctx, a, "TS", 2026)
		require.NoError(t, err)
		require.Equal(t, n1, again, "a retried activity gets the same number")
		n2, err := s.AllocateNumber(ctx, b, "TS", 2026)
		require.NoError(t, err)
		require.Equal(t, "TS-2026-000001", n1)
		require.Equal(t, "TS-2026-000002", n2)
		n3, err := s.AllocateNumber(ctx, uuid.NewString(), "TS", 2027)
		require.NoError(t, err)
		require.Equal(t, "TS-2027-000001", n3)
	})

	t.Run("saves are idempotent and never go back in version", func(t *testing.T) {
		id := uuid.NewString()
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		c := complaint.Complaint{
			ID: id, Number: "TS-2026-009999", Status: complaint.StepValidation, Subject: "s",
			Severity: complaint.SeverityNone, Category: complaint.CategoryContract, Channel: complaint.ChannelWeb,
			ComplainantClass: complaint.ClassC, EscalationLevel: complaint.LevelOwner, ReceivedAt: at, CreatedAt: at,
			PolicyVersion: "p", Version: 1,
		}
		e1 := complaint.Event{Seq: 1, At: at, Step: complaint.StepRecord, Action: complaint.ActionRecorded, Actor: complaint.Actor{ID: "u"}}
		require.NoError(t, s.SaveComplaint(ctx, c, []complaint.Event{e1}, "key-1", "hash"))
		require.NoError(t, s.SaveComplaint(ctx, c, []complaint.Event{e1}, "key-1", "hash"), "a retry changes nothing")

		v2 := c
		v2.Version, v2.Status = 2, complaint.StepAssignment
		e2 := complaint.Event{Seq: 2, At: at.Add(time.Minute), Step: complaint.StepValidation, Action: complaint.ActionValidated, Actor: complaint.Actor{ID: "u"}, Detail: []byte(`{"founded":true}`)}
		require.NoError(t, s.SaveComplaint(ctx, v2, []complaint.Event{e2}, "key-1", "hash"))
		// A late retry of version 1 arrives after version 2: ignored.
		require.NoError(t, s.SaveComplaint(ctx, c, []complaint.Event{e1}, "key-1", "hash"))

		got, err := s.GetComplaint(ctx, id)
		require.NoError(t, err)
		require.Equal(t, complaint.StepAssignment, got.Complaint.Status)
		require.Equal(t, 2, got.Complaint.Version)
		require.Equal(t, "hash", got.RequestHash)
		require.Len(t, got.Complaint.Timeline, 2)
		require.JSONEq(t, `{"founded":true}`, string(got.Complaint.Timeline[1].Detail))
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM complaint_events WHERE complaint_id = $1`, id).Scan(&n))
		require.Equal(t, 2, n)
	})

	t.Run("search by number, subject, customer and organisation", func(t *testing.T) {
		at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		save := func(number, subject, name, org string) {
			c := complaint.Complaint{
				ID: uuid.NewString(), Number: number, Status: complaint.StepValidation, Subject: subject,
				Customer: complaint.Customer{Name: name, Organisation: org, Contact: "1"},
				Severity: complaint.SeverityNone, Category: complaint.CategoryContract, Channel: complaint.ChannelWeb,
				ComplainantClass: complaint.ClassC, EscalationLevel: complaint.LevelOwner, ReceivedAt: at, CreatedAt: at,
				PolicyVersion: "p", Version: 1,
			}
			require.NoError(t, s.SaveComplaint(ctx, c, nil, "", ""))
		}
		save("TS-2026-100001", "冷水机组噪音过大", "钱女士", "苏州精密机械")
		save("TS-2026-100002", "门锁 100% 损坏", "Mr_Li", "Acme")
		search := func(q string) []string {
			items, _, err := s.ListComplaints(ctx, store.ListFilter{Search: q, Limit: 10})
			require.NoError(t, err)
			var out []string
			for _, c := range items {
				out = append(out, c.Number)
			}
			return out
		}
		require.Equal(t, []string{"TS-2026-100001"}, search("ts-2026-100001"), "number, any case")
		require.Equal(t, []string{"TS-2026-100001"}, search("噪音"), "subject")
		require.Equal(t, []string{"TS-2026-100001"}, search("钱女士"), "customer")
		require.Equal(t, []string{"TS-2026-100002"}, search("acme"), "organisation")
		require.Equal(t, []string{"TS-2026-100002"}, search("100%"), "% is a character, not a wildcard")
		require.Equal(t, []string{"TS-2026-100002"}, search("r_l"), "_ is a character too")
		require.Empty(t, search("100001 "+"x"))
		require.Empty(t, search("2026-100001"), "numbers match from their start")
	})

	t.Run("unknown complaint and bad cursor", func(t *testing.T) {
		_, err := s.GetComplaint(ctx, uuid.NewString())
		require.ErrorIs(t, err, store.ErrNotFound)
		_, _, err = s.ListComplaints(ctx, store.ListFilter{Limit: 10, Cursor: "bm9wZQ"})
		require.ErrorIs(t, err, store.ErrBadCursor)
	})
}
