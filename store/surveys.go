package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cxflow/cxflow/survey"
)

// UpsertCustomers creates or updates customers by ID, in one transaction.
func (s *Store) UpsertCustomers(ctx context.Context, cs []survey.Customer) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		for _, c := range cs {
			contacts, err := json.Marshal(c.Contacts)
			if err != nil {
				return err
			}
			if c.Contacts == nil {
				contacts = []byte("[]")
			}
			batch.Queue(`
				INSERT INTO customers (id, name, tier, annual_volume, years, potential, representative, segment, contacts)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
				ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, tier = EXCLUDED.tier,
					annual_volume = EXCLUDED.annual_volume, years = EXCLUDED.years, potential = EXCLUDED.potential,
					representative = EXCLUDED.representative, segment = EXCLUDED.segment,
					contacts = EXCLUDED.contacts, updated_at = now()`,
				c.ID, c.Name, c.Tier, c.AnnualVolume, c.YearsAsCustomer, c.Potential, c.Representative, c.Segment, contacts)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("save customers: %w", err)
		}
		return nil
	})
}

// Customers returns customers by ID, after the given ID, at most limit (0: all).
func (s *Store) Customers(ctx context.Context, after string, limit int) ([]survey.Customer, error) {
	q := `SELECT id, name, tier, annual_volume::float8, years, potential, representative, segment, contacts
		FROM customers WHERE id > $1 ORDER BY id`
	args := []any{after}
	if limit > 0 {
		q += " LIMIT $2"
		args = append(args, limit)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Customer, error) {
		var c survey.Customer
		var contacts []byte
		if err := r.Scan(&c.ID, &c.Name, &c.Tier, &c.AnnualVolume, &c.YearsAsCustomer, &c.Potential, &c.Representative, &c.Segment, &contacts); err != nil {
			return c, err
		}
		return c, json.Unmarshal(contacts, &c.Contacts)
	})
}

// Customer returns one customer.
func (s *Store) Customer(ctx context.Context, id string) (survey.Customer, error) {
	var c survey.Customer
	var contacts []byte
	err := s.pool.QueryRow(ctx, `SELECT id, name, tier, annual_volume::float8, years, potential, representative, segment, contacts
		FROM customers WHERE id = $1`, id).
		Scan(&c.ID, &c.Name, &c.Tier, &c.AnnualVolume, &c.YearsAsCustomer, &c.Potential, &c.Representative, &c.Segment, &contacts)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("read customer %s: %w", id, err)
	}
	return c, json.Unmarshal(contacts, &c.Contacts)
}

// SaveDefinition creates (ifVersion 0) or replaces a programme definition.
func (s *Store) SaveDefinition(ctx context.Context, d survey.Definition, ifVersion int) (survey.Definition, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var current int
		err := tx.QueryRow(ctx, `SELECT version FROM survey_programmes WHERE id = $1 FOR UPDATE`, d.ID).Scan(&current)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if current != ifVersion {
			return ErrVersionConflict
		}
		d.Version = current + 1
		data, err := json.Marshal(d)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO survey_programmes (id, name, data, version) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, data = EXCLUDED.data,
				version = EXCLUDED.version, updated_at = now()`, d.ID, d.Name, data, d.Version)
		return err
	})
	if errors.Is(err, ErrVersionConflict) {
		return d, err
	}
	if err != nil {
		return d, fmt.Errorf("save programme %s: %w", d.ID, err)
	}
	return d, nil
}

// Definition returns a programme definition.
func (s *Store) Definition(ctx context.Context, id string) (survey.Definition, error) {
	var d survey.Definition
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM survey_programmes WHERE id = $1`, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("read programme %s: %w", id, err)
	}
	return d, json.Unmarshal(data, &d)
}

// Definitions lists the programmes by name.
func (s *Store) Definitions(ctx context.Context) ([]survey.Definition, error) {
	rows, err := s.pool.Query(ctx, `SELECT data FROM survey_programmes ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list programmes: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Definition, error) {
		var d survey.Definition
		var data []byte
		if err := r.Scan(&data); err != nil {
			return d, err
		}
		return d, json.Unmarshal(data, &d)
	})
}

// Cycle is a survey cycle's record.
type Cycle struct {
	ID              string            `json:"id"`
	ProgrammeID     string            `json:"programme_id" doc:"The programme the cycle belongs to."`
	WorkflowID      string            `json:"workflow_id"`
	Status          string            `json:"status"`
	Definition      survey.Definition `json:"definition" doc:"The programme as it was when the cycle started."`
	Population      int               `json:"population" doc:"How many customers the sample was drawn from."`
	Chosen          int               `json:"chosen" doc:"How many customers were chosen."`
	Issued          int               `json:"issued" doc:"How many invitations were issued."`
	Returned        int               `json:"returned" doc:"How many answers came back so far."`
	OpenedAt        *time.Time        `json:"opened_at,omitempty" doc:"When the invitations went out."`
	ClosesAt        *time.Time        `json:"closes_at,omitempty" doc:"When the cycle stops taking answers."`
	ClosedAt        *time.Time        `json:"closed_at,omitempty"`
	EscalationLevel string            `json:"escalation_level,omitempty" doc:"Present once the return rate was escalated."`
	Actions         int               `json:"actions" doc:"How many improvement actions the cycle opened."`
	Stats           *survey.Stats     `json:"stats,omitempty" doc:"The statistics, once the cycle is closed."`
	CreatedAt       time.Time         `json:"created_at"`
}

// Cycle statuses.
const (
	CycleDrawing = "drawing"
	CycleOpen    = "open"
	CycleClosed  = "closed"
)

// ErrCycleClosed is returned for an answer to a closed cycle.
var ErrCycleClosed = errors.New("the survey has closed")

// CreateCycle records a cycle once; a retry finds the same record.
func (s *Store) CreateCycle(ctx context.Context, id, workflowID string, d survey.Definition) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO survey_cycles (id, programme_id, workflow_id, status, definition, anon_salt)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
		id, d.ID, workflowID, CycleDrawing, data, salt)
	if err != nil {
		return fmt.Errorf("create cycle %s: %w", id, err)
	}
	return nil
}

// cycleColumns are a cycle's record with its live count of answers, for scanCycle.
const cycleColumns = `c.id::text, c.programme_id::text, c.workflow_id, c.status, c.definition, c.population, c.chosen,
	c.issued, (SELECT count(*) FROM survey_answers a WHERE a.cycle_id = c.id), c.opened_at, c.closes_at,
	c.closed_at, c.escalation_level, c.actions, c.stats, c.created_at`

func scanCycle(r pgx.Row) (Cycle, error) {
	var c Cycle
	var def, stats []byte
	err := r.Scan(&c.ID, &c.ProgrammeID, &c.WorkflowID, &c.Status, &def, &c.Population, &c.Chosen, &c.Issued, &c.Returned,
		&c.OpenedAt, &c.ClosesAt, &c.ClosedAt, &c.EscalationLevel, &c.Actions, &stats, &c.CreatedAt)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(def, &c.Definition); err != nil {
		return c, err
	}
	if stats != nil {
		c.Stats = &survey.Stats{}
		if err := json.Unmarshal(stats, c.Stats); err != nil {
			return c, err
		}
	}
	return c, nil
}

// GetCycle returns a cycle with its live counts.
func (s *Store) GetCycle(ctx context.Context, id string) (Cycle, error) {
	c, err := scanCycle(s.pool.QueryRow(ctx, `SELECT `+cycleColumns+` FROM survey_cycles c WHERE c.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("read cycle %s: %w", id, err)
	}
	return c, nil
}

// SaveSelections replaces the cycle's sample and its counts: drawing again
// (a retried activity) gives the same rows.
func (s *Store) SaveSelections(ctx context.Context, cycleID string, sel []survey.Selection) (chosen int, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM survey_selections WHERE cycle_id = $1`, cycleID); err != nil {
			return err
		}
		rows := make([][]any, 0, len(sel))
		for _, x := range sel {
			if x.Chosen {
				chosen++
			}
			rows = append(rows, []any{cycleID, x.CustomerID, x.Rule, x.Reason, x.Chosen, x.Rank})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"survey_selections"},
			[]string{"cycle_id", "customer_id", "rule", "reason", "chosen", "rank"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE survey_cycles SET population = $2, chosen = $3 WHERE id = $1`, cycleID, len(sel), chosen)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("save sample of %s: %w", cycleID, err)
	}
	return chosen, nil
}

// Selections lists who was considered and why, chosen first.
func (s *Store) Selections(ctx context.Context, cycleID string) ([]survey.Selection, error) {
	rows, err := s.pool.Query(ctx, `SELECT customer_id, rule, reason, chosen, rank FROM survey_selections
		WHERE cycle_id = $1 ORDER BY chosen DESC, customer_id`, cycleID)
	if err != nil {
		return nil, fmt.Errorf("list selections: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Selection, error) {
		var x survey.Selection
		return x, r.Scan(&x.CustomerID, &x.Rule, &x.Reason, &x.Chosen, &x.Rank)
	})
}

// OpenCycle issues an invitation to every chosen customer (once) and opens the
// cycle for answers until closesAt. It returns the number issued.
func (s *Store) OpenCycle(ctx context.Context, cycleID string, channel survey.Channel, openedAt, closesAt time.Time) (int, error) {
	var issued int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO survey_invitations (id, cycle_id, customer_id, channel, issued_at)
			SELECT gen_random_uuid(), cycle_id, customer_id, $2, $3 FROM survey_selections
			WHERE cycle_id = $1 AND chosen
			ON CONFLICT (cycle_id, customer_id) DO NOTHING`, cycleID, channel, openedAt); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM survey_invitations WHERE cycle_id = $1`, cycleID).Scan(&issued); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE survey_cycles SET status = $2, issued = $3, opened_at = $4, closes_at = $5
			WHERE id = $1 AND status = $6`, cycleID, CycleOpen, issued, openedAt, closesAt, CycleDrawing)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("open cycle %s: %w", cycleID, err)
	}
	return issued, nil
}

// Remind marks the n-th reminder on every unanswered invitation (once) and
// returns how many were reminded.
func (s *Store) Remind(ctx context.Context, cycleID string, n int, at time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE survey_invitations SET reminders = $2, last_reminded_at = $3
		WHERE cycle_id = $1 AND answered_at IS NULL AND reminders < $2`, cycleID, n, at)
	if err != nil {
		return 0, fmt.Errorf("remind %s: %w", cycleID, err)
	}
	return int(tag.RowsAffected()), nil
}

// Returns counts the invitations issued and answered.
func (s *Store) Returns(ctx context.Context, cycleID string) (issued, returned int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*), count(answered_at) FROM survey_invitations WHERE cycle_id = $1`, cycleID).
		Scan(&issued, &returned)
	if err != nil {
		return 0, 0, fmt.Errorf("count returns of %s: %w", cycleID, err)
	}
	return issued, returned, nil
}

// Invitation is one customer's invitation to a cycle.
type Invitation struct {
	ID         string         `json:"id"`
	CycleID    string         `json:"cycle_id"`
	CustomerID string         `json:"customer_id"`
	Channel    survey.Channel `json:"channel"`
	IssuedAt   time.Time      `json:"issued_at"`
	Reminders  int            `json:"reminders" doc:"How many reminders were sent."`
	AnsweredAt *time.Time     `json:"answered_at,omitempty" doc:"When the answer came in; absent while unanswered."`
}

// GetInvitation returns an invitation.
func (s *Store) GetInvitation(ctx context.Context, id string) (Invitation, error) {
	var iv Invitation
	err := s.pool.QueryRow(ctx, `
		SELECT id::text, cycle_id::text, customer_id, channel, issued_at, reminders, answered_at
		FROM survey_invitations WHERE id = $1`, id).
		Scan(&iv.ID, &iv.CycleID, &iv.CustomerID, &iv.Channel, &iv.IssuedAt, &iv.Reminders, &iv.AnsweredAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return iv, ErrNotFound
	}
	if err != nil {
		return iv, fmt.Errorf("read invitation %s: %w", id, err)
	}
	return iv, nil
}

// Invitations lists a cycle's invitations (the staff's call and visit list),
// unanswered first.
func (s *Store) Invitations(ctx context.Context, cycleID string, limit int) ([]Invitation, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id::text, cycle_id::text, customer_id, channel, issued_at, reminders, answered_at
		FROM survey_invitations WHERE cycle_id = $1 ORDER BY answered_at NULLS FIRST, customer_id LIMIT $2`, cycleID, limit)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invitation, error) {
		var iv Invitation
		return iv, r.Scan(&iv.ID, &iv.CycleID, &iv.CustomerID, &iv.Channel, &iv.IssuedAt, &iv.Reminders, &iv.AnsweredAt)
	})
}

// AnswerRecord is an answer with who gave it, how and who surveyed (000).
type AnswerRecord struct {
	Answer     survey.Answer  `json:"answer"`
	Channel    survey.Channel `json:"channel"`
	SurveyedBy string         `json:"surveyed_by,omitempty"`
	Respondent string         `json:"respondent,omitempty"`
	AnsweredAt time.Time      `json:"answered_at"`
}

// ErrAnsweredByCustomer refuses staff an answer the customer gave themselves.
var ErrAnsweredByCustomer = errors.New("answered by the customer")

// customerChannel is the channel of answers customers give themselves
// (survey.ChannelLink).
const customerChannel = "link"

// SaveAnswer stores the answer to an invitation, replacing an earlier one,
// while the cycle is open — except that staff never replace what the
// customer answered themselves (ErrAnsweredByCustomer). In an anonymous cycle
// the answer is keyed by a salted hash of the invitation and stored without
// the customer.
func (s *Store) SaveAnswer(ctx context.Context, invitationID string, anonymous bool, rec AnswerRecord) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var cycleID, customerID, status string
		var salt []byte
		err := tx.QueryRow(ctx, `
			SELECT i.cycle_id::text, i.customer_id, c.status, c.anon_salt
			FROM survey_invitations i JOIN survey_cycles c ON c.id = i.cycle_id
			WHERE i.id = $1 FOR UPDATE OF c`, invitationID).Scan(&cycleID, &customerID, &status, &salt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != CycleOpen {
			return ErrCycleClosed
		}
		key, who := answerKey(invitationID, anonymous, salt), &customerID
		if anonymous {
			who = nil
			rec.Answer.CustomerID = ""
		} else {
			rec.Answer.CustomerID = customerID
		}
		data, err := json.Marshal(rec.Answer)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO survey_answers (answer_key, cycle_id, customer_id, answer, channel, surveyed_by, respondent, answered_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
			ON CONFLICT (answer_key) DO UPDATE SET answer = EXCLUDED.answer, channel = EXCLUDED.channel,
				surveyed_by = EXCLUDED.surveyed_by, respondent = EXCLUDED.respondent,
				answered_at = EXCLUDED.answered_at, updated_at = now()
			-- What the customer answered themselves is theirs: staff do not
			-- replace it (the customer may still change it through the link).
			WHERE survey_answers.channel <> $9 OR EXCLUDED.channel = $9`,
			key, cycleID, who, data, rec.Channel, rec.SurveyedBy, rec.Respondent, rec.AnsweredAt, customerChannel); err != nil {
			return err
		}
		var kept string
		if err := tx.QueryRow(ctx, `SELECT channel FROM survey_answers WHERE answer_key = $1`, key).Scan(&kept); err != nil {
			return err
		}
		if kept == customerChannel && rec.Channel != customerChannel {
			return ErrAnsweredByCustomer
		}
		if _, err = tx.Exec(ctx, `UPDATE survey_invitations SET answered_at = $2 WHERE id = $1`, invitationID, rec.AnsweredAt); err != nil {
			return err
		}
		return answeredEvents(ctx, tx, cycleID, key, anonymous, customerID, rec)
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrCycleClosed) || errors.Is(err, ErrAnsweredByCustomer) {
		return err
	}
	if err != nil {
		return fmt.Errorf("save answer to %s: %w", invitationID, err)
	}
	return nil
}

// answeredEvents writes, with the answer, a survey.answered event for each
// webhook subscribed to it (the outbox's key format of activities'
// webhook events: the event's ID, then "|webhook:" and the subscription).
// The receipt names the customer only when the questionnaire is not
// anonymous.
func answeredEvents(ctx context.Context, tx pgx.Tx, cycleID, answerKey string, anonymous bool, customerID string, rec AnswerRecord) error {
	receipt := map[string]any{"cycle_id": cycleID, "channel": rec.Channel, "answered_at": rec.AnsweredAt}
	if !anonymous {
		receipt["customer_id"] = customerID
	}
	body, err := json.Marshal(receipt)
	if err != nil {
		return err
	}
	eventID := fmt.Sprintf("survey-cycle:%s:answer:%s:%d", cycleID, answerKey, rec.AnsweredAt.UnixNano())
	_, err = tx.Exec(ctx, `INSERT INTO notifications (key, channel, recipient, subject, body, related)
		SELECT $1 || '|webhook:' || w.id::text, 'webhook', 'webhook:' || w.id::text, 'survey.answered', $2, $3
		FROM webhooks w WHERE 'survey.answered' = ANY(w.events)
		ON CONFLICT (key) DO NOTHING`, eventID, string(body), "survey-cycle:"+cycleID)
	return err
}

// answerKey is the row an invitation's answer is kept under: the invitation
// itself, or for an anonymous questionnaire a hash with the cycle's salt, so
// that once the salt is wiped at close no answer leads back to a customer.
func answerKey(invitationID string, anonymous bool, salt []byte) string {
	if !anonymous {
		return invitationID
	}
	h := sha256.Sum256(append(append([]byte{}, salt...), invitationID...))
	return "anon:" + hex.EncodeToString(h[:])
}

// PreviousAnswer is the answer given through an invitation while its cycle is
// open, for the respondent to change; nil when there is none (or the cycle
// has closed and an anonymous answer can no longer be found).
func (s *Store) PreviousAnswer(ctx context.Context, invitationID string, anonymous bool) (*survey.Answer, error) {
	var cycleID, status string
	var salt []byte
	err := s.pool.QueryRow(ctx, `
		SELECT i.cycle_id::text, c.status, c.anon_salt
		FROM survey_invitations i JOIN survey_cycles c ON c.id = i.cycle_id WHERE i.id = $1`,
		invitationID).Scan(&cycleID, &status, &salt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("previous answer to %s: %w", invitationID, err)
	}
	if status != CycleOpen || (anonymous && len(salt) == 0) {
		return nil, nil
	}
	var data []byte
	// The key is worked out as SaveAnswer works it out.
	err = s.pool.QueryRow(ctx, `SELECT answer FROM survey_answers WHERE answer_key = $1 AND cycle_id = $2`,
		answerKey(invitationID, anonymous, salt), cycleID).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("previous answer to %s: %w", invitationID, err)
	}
	var a survey.Answer
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("previous answer to %s: %w", invitationID, err)
	}
	return &a, nil
}

// InvitationFor finds a customer's invitation to a cycle (staff entering a
// phone, visit or letter answer).
func (s *Store) InvitationFor(ctx context.Context, cycleID, customerID string) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT id::text FROM survey_invitations WHERE cycle_id = $1 AND customer_id = $2`, cycleID, customerID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return id, err
}

// Answers returns a cycle's answers for statistics, with segment and tier
// filled from the customer where the answer is by name.
func (s *Store) Answers(ctx context.Context, cycleID string) ([]survey.Answer, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT a.answer, coalesce(c.segment, ''), coalesce(c.tier, '')
		FROM survey_answers a LEFT JOIN customers c ON c.id = a.customer_id
		WHERE a.cycle_id = $1 ORDER BY a.answered_at, a.answer_key`, cycleID)
	if err != nil {
		return nil, fmt.Errorf("read answers of %s: %w", cycleID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Answer, error) {
		var a survey.Answer
		var data []byte
		var segment, tier string
		if err := r.Scan(&data, &segment, &tier); err != nil {
			return a, err
		}
		if err := json.Unmarshal(data, &a); err != nil {
			return a, err
		}
		if a.Segment == "" {
			a.Segment = segment
		}
		if a.Tier == "" {
			a.Tier = survey.Tier(tier)
		}
		return a, nil
	})
}

// CloseCycle stops answers, stores the statistics and forgets the salt that
// linked anonymous answers to invitations.
func (s *Store) CloseCycle(ctx context.Context, cycleID string, stats survey.Stats, at time.Time) error {
	data, err := json.Marshal(stats)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `UPDATE survey_cycles SET status = $2, stats = $3, closed_at = coalesce(closed_at, $4), anon_salt = NULL
		WHERE id = $1`, cycleID, CycleClosed, data, at)
	if err != nil {
		return fmt.Errorf("close cycle %s: %w", cycleID, err)
	}
	return nil
}

// SetCycleActions records how many improvement actions the cycle opened.
func (s *Store) SetCycleActions(ctx context.Context, cycleID string, n int) error {
	_, err := s.pool.Exec(ctx, `UPDATE survey_cycles SET actions = $2 WHERE id = $1`, cycleID, n)
	return err
}

// SetCycleEscalation records the cycle's escalation level.
func (s *Store) SetCycleEscalation(ctx context.Context, cycleID, level string) error {
	_, err := s.pool.Exec(ctx, `UPDATE survey_cycles SET escalation_level = $2 WHERE id = $1`, cycleID, level)
	return err
}

// PreviousStats returns the statistics of the programme's last closed cycle
// before this one, nil for the first.
func (s *Store) PreviousStats(ctx context.Context, programmeID, cycleID string) (*survey.Stats, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `
		SELECT stats FROM survey_cycles
		WHERE programme_id = $1 AND id <> $2 AND status = 'closed' AND stats IS NOT NULL
		  AND created_at < (SELECT created_at FROM survey_cycles WHERE id = $2)
		ORDER BY created_at DESC LIMIT 1`, programmeID, cycleID).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("previous stats of %s: %w", programmeID, err)
	}
	var st survey.Stats
	return &st, json.Unmarshal(data, &st)
}

// Cycles lists a programme's cycles, newest first.
func (s *Store) Cycles(ctx context.Context, programmeID string) ([]Cycle, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+cycleColumns+` FROM survey_cycles c
		WHERE c.programme_id = $1 ORDER BY c.created_at DESC`, programmeID)
	if err != nil {
		return nil, fmt.Errorf("list cycles: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Cycle, error) { return scanCycle(r) })
	if err != nil {
		return nil, fmt.Errorf("list cycles: %w", err)
	}
	return out, nil
}

// AddCycleEvent appends to the cycle's record, idempotently by sequence.
func (s *Store) AddCycleEvent(ctx context.Context, cycleID string, seq int, at time.Time, action string, detail any) error {
	data, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO survey_cycle_events (cycle_id, seq, at, action, detail) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (cycle_id, seq) DO NOTHING`, cycleID, seq, at, action, data)
	if err != nil {
		return fmt.Errorf("record cycle event: %w", err)
	}
	return nil
}
