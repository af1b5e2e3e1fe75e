package server

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
)

// NotificationList is a page of the outbox, oldest first (newest first
// with order=newest).
type NotificationList struct {
	Items []app.Notification `json:"items"`
	// NextAfter pages on oldest first: pass it as after=.
	NextAfter int64 `json:"next_after,omitempty" doc:"Present when the page is full: pass it as after for the next page."`
	// NextBefore pages on newest first: pass it as before=.
	NextBefore int64 `json:"next_before,omitempty" doc:"Present when a page listed newest first is full: pass it as before for the next page."`
}

// listNotifications serves the outbox (app.Notifications) to a mail relay
// (through an API token), which works through it oldest first, and to the
// staff whose tasks are in it, who read it newest first.
func (s *Server) listNotifications(c *gin.Context) {
	f := app.OutboxFilter{Status: c.Query("status"), Channel: c.Query("channel"), Related: c.Query("related"), Limit: 100}
	switch c.Query("order") {
	case "", "oldest":
	case "newest":
		f.Newest = true
	default:
		abort(c, http.StatusBadRequest, "order must be oldest or newest", "order")
		return
	}
	for _, b := range []struct {
		name string
		to   *int64
	}{{"after", &f.After}, {"before", &f.Before}} {
		if v := c.Query(b.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				abort(c, http.StatusBadRequest, b.name+" must be a notification ID", b.name)
				return
			}
			*b.to = n
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			abort(c, http.StatusBadRequest, "limit must be a whole number from 1 to 1000", "limit")
			return
		}
		f.Limit = n
	}
	page, err := s.app.Notifications(c, actor(c), f)
	if err != nil {
		s.fail(c, "list notifications", err)
		return
	}
	c.JSON(http.StatusOK, NotificationList{Items: page.Items, NextAfter: page.NextAfter, NextBefore: page.NextBefore})
}

// NotificationStatus reports a delivery.
type NotificationStatus struct {
	Status string `json:"status"`
	Note   string `json:"note,omitempty" doc:"Why it failed, or anything worth keeping; at most 2000 bytes (UTF-8)."`
	// IfStatus, when given, makes the report conditional: it is refused
	// (409) unless the message still stands so. Staff send pending, so a
	// colleague's report made meanwhile is not overwritten unseen.
	IfStatus string `json:"if_status,omitempty" doc:"Only if the message still stands so: otherwise the report is refused with a 409 and changes nothing. Staff reporting a pending message send pending, so that a colleague's report made meanwhile is not overwritten unseen."`
}

// markNotification reports a delivery (app.MarkNotification).
func (s *Server) markNotification(c *gin.Context) {
	id, ok := notificationID(c)
	if !ok {
		return
	}
	var in NotificationStatus
	if !bindJSON(c, &in, "") {
		return
	}
	err := s.app.MarkNotification(c, actor(c), id, app.NotificationReport{Status: in.Status, Note: in.Note, IfStatus: in.IfStatus})
	if err != nil {
		s.fail(c, "mark the notification", err)
		return
	}
	c.Status(http.StatusNoContent)
}

// notificationID reads the message's ID from the path; one that is not a
// number names no message (404).
func notificationID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		abort(c, http.StatusNotFound, "notification not found", "")
		return 0, false
	}
	return id, true
}

// AttemptList is a message's delivery attempts, first first.
type AttemptList struct {
	Items []app.Attempt `json:"items" doc:"The attempts, first first."`
}

func (s *Server) notificationAttempts(c *gin.Context) {
	id, ok := notificationID(c)
	if !ok {
		return
	}
	list, err := s.app.NotificationAttempts(c, actor(c), id)
	if err != nil {
		s.fail(c, "list the delivery attempts", err)
		return
	}
	c.JSON(http.StatusOK, AttemptList{Items: list})
}

func (s *Server) resendNotification(c *gin.Context) {
	id, ok := notificationID(c)
	if !ok {
		return
	}
	if err := s.app.ResendNotification(c, actor(c), id); err != nil {
		s.fail(c, "resend the notification", err)
		return
	}
	c.Status(http.StatusAccepted)
}
