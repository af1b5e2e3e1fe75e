package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/store"
)

// NotificationList is a page of the outbox, oldest first.
type NotificationList struct {
	Items []store.Notification `json:"items"`
	// NextAfter pages on: pass it as after=.
	NextAfter int64 `json:"next_after,omitempty"`
}

// listNotifications serves the outbox to a mail relay (through an API token)
// and to the staff whose tasks are in it.
func (s *Server) listNotifications(c *gin.Context) {
	status := c.Query("status")
	if status != "" && status != "pending" && status != "sent" && status != "failed" {
		abort(c, http.StatusBadRequest, "status must be pending, sent or failed", "status")
		return
	}
	var after int64
	if v := c.Query("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			abort(c, http.StatusBadRequest, "after must be a notification ID", "after")
			return
		}
		after = n
	}
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			abort(c, http.StatusBadRequest, "limit must be a whole number from 1 to 1000", "limit")
			return
		}
		limit = n
	}
	list, err := s.store.Notifications(c, status, c.Query("related"), after, limit)
	if err != nil {
		s.internal(c, "list notifications", err)
		return
	}
	out := NotificationList{Items: list}
	if out.Items == nil {
		out.Items = []store.Notification{}
	}
	if len(list) == limit {
		out.NextAfter = list[len(list)-1].ID
	}
	c.JSON(http.StatusOK, out)
}

// NotificationStatus reports a delivery.
type NotificationStatus struct {
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
}

func (s *Server) markNotification(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		abort(c, http.StatusNotFound, "notification not found", "")
		return
	}
	var in NotificationStatus
	if !bindJSON(c, &in, "") {
		return
	}
	if in.Status != "sent" && in.Status != "failed" {
		abort(c, http.StatusBadRequest, "status must be sent or failed", "status")
		return
	}
	if len(in.Note) > 2000 {
		abort(c, http.StatusBadRequest, "note must be at most 2000 characters", "note")
		return
	}
	err = s.store.MarkNotification(c, id, in.Status, in.Note, s.now())
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusNotFound, "notification not found", "")
		return
	}
	if err != nil {
		s.internal(c, "mark the notification", err)
		return
	}
	c.Status(http.StatusNoContent)
}
