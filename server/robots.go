package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
)

// RobotRequest registers a department's group-chat robot (app.CreateRobot).
type RobotRequest = app.RobotRequest

// RobotList is the registered robots, without their URLs' tokens or secrets.
type RobotList struct {
	Items []app.Robot `json:"items" doc:"The robots, by department."`
}

func (s *Server) createRobot(c *gin.Context) {
	var in RobotRequest
	if !bindJSON(c, &in, "") {
		return
	}
	r, err := s.app.CreateRobot(c, actor(c), in)
	if err != nil {
		s.fail(c, "register the robot", err)
		return
	}
	c.Set(auditTargetKey, r.ID)
	c.JSON(http.StatusCreated, r)
}

func (s *Server) listRobots(c *gin.Context) {
	list, err := s.app.Robots(c, actor(c), c.Query("department"))
	if err != nil {
		s.fail(c, "list the robots", err)
		return
	}
	if list == nil {
		list = []app.Robot{}
	}
	c.JSON(http.StatusOK, RobotList{Items: list})
}

func (s *Server) deleteRobot(c *gin.Context) {
	if err := s.app.DeleteRobot(c, actor(c), c.Param("id")); err != nil {
		s.fail(c, "remove the robot", err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) testRobot(c *gin.Context) {
	res, err := s.app.TestRobot(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "test the robot", err)
		return
	}
	c.JSON(http.StatusOK, res)
}
