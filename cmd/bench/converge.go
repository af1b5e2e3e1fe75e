package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// convergence measures how long the worker's reconciler takes to repair read-
// model rows that workflow tasks lost (issue #19): n open complaints are
// recorded through the API, then each row is made to show a step its workflow
// never committed — one version further, at the next step, with an event of
// it, unconfirmed — as a Temporal outage between a step's write and its
// commit leaves it. The clock runs until every row shows its workflow's
// state again (the reconciler waits reconcileGrace before it looks at a row).
type convergence struct {
	n       int
	created time.Duration
	took    time.Duration
	left    int
}

func runConvergence(ctx context.Context, pool *pgxpool.Pool, d *httpDriver, n, conc int) (convergence, error) {
	res := convergence{n: n}
	ids := make([]string, n)
	began := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, conc)
	for i := range ids {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			code, body, err := d.post(ctx, d.base, lifecycle[0].body)
			if err == nil && code != lifecycle[0].wantHTTP {
				err = fmt.Errorf("create: HTTP %d: %s", code, snippet(body))
			}
			var got struct {
				ID string `json:"id"`
			}
			if err == nil {
				err = json.Unmarshal(body, &got)
			}
			if err != nil {
				errs <- err
				return
			}
			ids[i] = got.ID
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	res.created = time.Since(began)

	// Wait until the creates' own writes are confirmed, so only the orphans count.
	if err := waitRows(ctx, pool, ids, `status = 'validation' AND confirmed`, time.Minute); err != nil {
		return res, fmt.Errorf("creates not confirmed: %w", err)
	}
	began = time.Now()
	if _, err := pool.Exec(ctx, `
		UPDATE complaints SET version = version + 1, status = 'assignment',
			view = jsonb_set(jsonb_set(view, '{status}', '"assignment"'), '{version}', to_jsonb(version + 1)),
			write_cause = 'bench-lost-task', confirmed = false, updated_at = now()
		WHERE id = ANY($1::uuid[])`, ids); err != nil {
		return res, err
	}
	if _, err := pool.Exec(ctx, `
		INSERT INTO complaint_events (complaint_id, seq, at, step, action, actor_id, actor_name, actor_role, actor_department)
		SELECT c.id, (SELECT max(seq) + 1 FROM complaint_events e WHERE e.complaint_id = c.id), now(),
			'validation', 'validated', 'bench', 'bench', 'market_department', 'market'
		FROM complaints c WHERE c.id = ANY($1::uuid[])`, ids); err != nil {
		return res, err
	}
	err := waitRows(ctx, pool, ids, `status = 'validation' AND confirmed`, 10*time.Minute)
	res.took = time.Since(began)
	if err != nil {
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM complaints WHERE id = ANY($1::uuid[]) AND NOT (status = 'validation' AND confirmed)`, ids).Scan(&res.left)
	}
	return res, nil
}

// waitRows polls until every row of ids matches cond (a fixed SQL predicate).
func waitRows(ctx context.Context, pool *pgxpool.Pool, ids []string, cond string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		var left int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM complaints WHERE id = ANY($1::uuid[]) AND NOT (`+cond+`)`, ids).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d rows still not %s after %s", left, len(ids), cond, within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c convergence) write(w io.Writer) {
	fmt.Fprintf(w, "\nread model after lost workflow tasks (issue #19): %d open complaints recorded in %s, then each row made to show a step\n"+
		"its workflow never committed; the worker's reconciler (every 2 s, rows older than 5 s) repairs them from the workflows\n",
		c.n, c.created.Round(time.Millisecond))
	if c.left > 0 {
		fmt.Fprintf(w, "  NOT CONVERGED: %d of %d rows still wrong after %s\n", c.left, c.n, c.took.Round(time.Millisecond))
		return
	}
	fmt.Fprintf(w, "  converged        %d rows in %s (%.0f rows/s after the 5 s grace)\n", c.n, c.took.Round(time.Millisecond),
		float64(c.n)/max(c.took.Seconds()-5, 0.001))
}
