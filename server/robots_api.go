package server

import (
	"net/http"

	"github.com/cxflow/cxflow/app"
)

// robotEndpoints are the departments' group-chat robots.
func robotEndpoints() []endpoint {
	return []endpoint{
		{method: http.MethodPost, path: "/api/v1/robots", op: app.OpCreateRobot, handle: method((*Server).createRobot),
			tag: "webhooks", summary: "Register a department's group-chat robot",
			description: "A DingTalk (钉钉) custom robot, WeCom (企业微信) group robot or Feishu (飞书) custom bot in a department's group chat: escalations addressed to the department " +
				"or its heads are posted there as Markdown with a link to the case, signed as the platform specifies (DingTalk 加签 and Feishu 签名校验 with the secret; WeCom's URL " +
				"carries its key). The URL and secret are kept encrypted and never returned. A 400 names vendor, department, url (not http(s), a private address, or without the " +
				"platform's access_token or key) or secret.",
			body:      jsonBody(bodyOf[RobotRequest]()),
			responses: []reply{answers(http.StatusCreated, "The robot, without its URL's token or its secret.", typeOf[app.Robot]()), badRequest, tooLarge, internalError}},
		{method: http.MethodGet, path: "/api/v1/robots", op: app.OpListRobots, handle: method((*Server).listRobots),
			tag: "webhooks", summary: "List the robots",
			description: "The registered robots, by department; tokens and secrets are never returned.",
			params:      []param{query("department", "Only this department's robots.", fixed(stringSchema()))},
			responses:   []reply{answers(http.StatusOK, "The robots.", typeOf[RobotList]()), internalError}},
		{method: http.MethodDelete, path: "/api/v1/robots/{id}", op: app.OpDeleteRobot, handle: method((*Server).deleteRobot),
			tag: "webhooks", summary: "Remove a robot",
			description: "Removes the robot; its messages still waiting fail, saying so.",
			params:      []param{pathParam("id", "The robot's ID.", fixed(formatted("uuid")))},
			responses:   []reply{noContent(http.StatusNoContent, "Removed."), fails(http.StatusNotFound, "No robot has this ID."), internalError}},
		{method: http.MethodPost, path: "/api/v1/robots/{id}/test", op: app.OpTestRobot, handle: method((*Server).testRobot),
			tag: "webhooks", summary: "Test a robot",
			description: "Posts one test message to the robot's group chat and reports what the platform answered: delivered false with its answer (e.g. a wrong signature) when it refused or could not be reached.",
			params:      []param{pathParam("id", "The robot's ID.", fixed(formatted("uuid")))},
			responses:   []reply{answers(http.StatusOK, "The test's result.", typeOf[app.ChannelTest]()), fails(http.StatusNotFound, "No robot has this ID."), internalError}},
	}
}
