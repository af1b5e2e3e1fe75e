package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Robot is a department's group-chat robot. Its URL and secret are kept
// sealed (BoxKeyID, Box); Display is the URL without its query.
type Robot struct {
	ID         string    `json:"id" doc:"Assigned by the server."`
	Department string    `json:"department" doc:"The department whose group chat the robot posts to."`
	Vendor     string    `json:"vendor" doc:"dingtalk (钉钉), wecom (企业微信) or feishu (飞书)."`
	Display    string    `json:"display" doc:"The robot's URL without its token or key, to recognise it by."`
	CreatedAt  time.Time `json:"created_at" doc:"When it was registered."`
	CreatedBy  string    `json:"created_by" doc:"The username of the administrator who registered it."`
	BoxKeyID   string    `json:"-"`
	Box        []byte    `json:"-"`
}

// CreateRobot stores a robot; ErrUnknownDepartment when its department does
// not exist.
func (s *Store) CreateRobot(ctx context.Context, r Robot) (Robot, error) {
	err := s.pool.QueryRow(ctx, `INSERT INTO robots (id, department, vendor, display, box_key_id, box, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at`, r.ID, r.Department, r.Vendor, r.Display, r.BoxKeyID, r.Box, r.CreatedBy).Scan(&r.CreatedAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" { // foreign_key_violation
		return r, ErrUnknownDepartment
	}
	if err != nil {
		return r, fmt.Errorf("store robot: %w", err)
	}
	return r, nil
}

const robotColumns = `id::text, department, vendor, display, created_at, created_by, box_key_id, box`

func scanRobot(r pgx.Row) (Robot, error) {
	var x Robot
	err := r.Scan(&x.ID, &x.Department, &x.Vendor, &x.Display, &x.CreatedAt, &x.CreatedBy, &x.BoxKeyID, &x.Box)
	return x, err
}

// Robots lists the robots of one department, or of all when department is empty.
func (s *Store) Robots(ctx context.Context, department string) ([]Robot, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+robotColumns+` FROM robots WHERE $1 = '' OR department = $1 ORDER BY department, created_at`, department)
	if err != nil {
		return nil, fmt.Errorf("list robots: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Robot, error) { return scanRobot(r) })
}

// GetRobot reads one robot; ErrNotFound when there is none.
func (s *Store) GetRobot(ctx context.Context, id string) (Robot, error) {
	x, err := scanRobot(s.pool.QueryRow(ctx, `SELECT `+robotColumns+` FROM robots WHERE id::text = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return x, ErrNotFound
	}
	if err != nil {
		return x, fmt.Errorf("read robot %s: %w", id, err)
	}
	return x, nil
}

// DeleteRobot removes a robot; its messages still waiting are failed.
func (s *Store) DeleteRobot(ctx context.Context, id string) error {
	return s.deleteSubscriber(ctx, "robots", id, "robot:"+id, "the robot was removed")
}
