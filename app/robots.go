package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/robot"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/webhook"
)

// A department's group-chat robot (issue #12): tasks for the department or
// its heads (escalations) are also posted to its robots. The robot's URL
// (which carries its token or key) and its signing secret are sealed
// together and never returned.

// Robot is a robot as the API shows it.
type Robot = store.Robot

// RobotRequest registers a robot.
type RobotRequest struct {
	Department string `json:"department" doc:"The ID of the department whose group chat the robot is in."`
	Vendor     string `json:"vendor" doc:"dingtalk (钉钉 custom robot), wecom (企业微信 group robot) or feishu (飞书 custom bot)."`
	URL        string `json:"url" doc:"The robot's webhook URL as the platform gives it (with its access_token or key). Kept encrypted, never returned."`
	Secret     string `json:"secret,omitempty" doc:"The robot's signing secret (DingTalk 加签, Feishu 签名校验); required for dingtalk and feishu, not used by wecom. Kept encrypted, never returned."`
}

// RobotBox is what a robot's sealed box holds.
type RobotBox struct {
	URL    string `json:"url"`
	Secret string `json:"secret,omitempty"`
}

// RobotContext binds a robot's sealed box to the robot.
func RobotContext(id string) string { return "robot:" + id }

// CreateRobot registers a department's robot.
func (a *App) CreateRobot(ctx context.Context, by complaint.Actor, in RobotRequest) (Robot, error) {
	if err := Authorize(by, OpCreateRobot); err != nil {
		return Robot{}, err
	}
	if !slices.Contains(robot.Vendors, robot.Vendor(in.Vendor)) {
		return Robot{}, notOneOf("vendor", "vendor must be dingtalk, wecom or feishu")
	}
	if err := a.CheckDepartment(ctx, in.Department, "department"); err != nil {
		return Robot{}, err
	}
	in.URL = strings.TrimSpace(in.URL)
	if err := webhook.CheckURL(ctx, in.URL, a.WebhookAllowPrivate); err != nil {
		return Robot{}, Refuse(Invalid, "url", "url %s", strings.TrimPrefix(err.Error(), "must "))
	}
	u, _ := url.Parse(in.URL)
	switch robot.Vendor(in.Vendor) {
	case robot.DingTalk:
		if u.Query().Get("access_token") == "" {
			return Robot{}, Refuse(Invalid, "url", "url must carry the robot's access_token, as DingTalk gives it")
		}
	case robot.WeCom:
		if u.Query().Get("key") == "" {
			return Robot{}, Refuse(Invalid, "url", "url must carry the robot's key, as WeCom gives it")
		}
	}
	if in.Vendor != string(robot.WeCom) && len(in.Secret) < 8 {
		return Robot{}, Refuse(Invalid, "secret", "secret is required for %s robots: the signing secret the platform shows (加签)", in.Vendor)
	}
	if a.Keyring == nil {
		return Robot{}, errors.New("no encryption keys configured: a robot's URL and secret cannot be kept")
	}
	name, err := a.username(ctx, by)
	if err != nil {
		return Robot{}, err
	}
	r := Robot{ID: uuid.NewString(), Department: in.Department, Vendor: in.Vendor, CreatedBy: name,
		Display: u.Scheme + "://" + u.Host + u.Path}
	box, err := json.Marshal(RobotBox{URL: in.URL, Secret: in.Secret})
	if err != nil {
		return Robot{}, err
	}
	if r.BoxKeyID, r.Box, err = a.Keyring.Seal(box, RobotContext(r.ID)); err != nil {
		return Robot{}, err
	}
	clear(box)
	r, err = a.Store.CreateRobot(ctx, r)
	if errors.Is(err, store.ErrUnknownDepartment) {
		return r, Refuse(Invalid, "department", "no department has ID %s", in.Department)
	}
	return r, err
}

// Robots lists the robots, of one department or all.
func (a *App) Robots(ctx context.Context, by complaint.Actor, department string) ([]Robot, error) {
	if err := Authorize(by, OpListRobots); err != nil {
		return nil, err
	}
	return a.Store.Robots(ctx, department)
}

// DeleteRobot removes a robot; its messages still waiting fail.
func (a *App) DeleteRobot(ctx context.Context, by complaint.Actor, id string) error {
	if err := Authorize(by, OpDeleteRobot); err != nil {
		return err
	}
	err := a.Store.DeleteRobot(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Refuse(NotFound, "", "robot not found")
	}
	return err
}
