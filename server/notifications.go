package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/store"
)

// NotificationList is a page of the outbox, oldest first (newest first
// with order=newest).
type NotificationList struct {
	Items []store.Notification `json:"items"`
	// NextAfter pages on oldest first: pass it as after=.
	NextAfter int64 `json:"next_after,omitempty"`
	// NextBefore pages on newest first: pass it as before=.
	NextBefore int64 `json:"next_before,omitempty"`
}

// listNotifications serves the outbox to a mail relay (through an API token),
// which works through it oldest first, and to the staff whose tasks are in
// it, who read it newest first.
func (s *Server) listNotifications(c *gin.Context) {
	f := store.OutboxFilter{Status: c.Query("status"), Channel: c.Query("channel"), Related: c.Query("related"), Limit: 100}
	if f.Status != "" && f.Status != "pending" && f.Status != "sent" && f.Status != "failed" {
		abort(c, http.StatusBadRequest, "status must be pending, sent or failed", "status")
		return
	}
	if f.Channel != "" && f.Channel != "email" && f.Channel != "task" {
		abort(c, http.StatusBadRequest, "channel must be email or task", "channel")
		return
	}
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
	list, err := s.store.Outbox(c, f)
	if err != nil {
		s.internal(c, "list notifications", err)
		return
	}
	out := NotificationList{Items: list}
	if out.Items == nil {
		out.Items = []store.Notification{}
	}
	if len(list) == f.Limit {
		if last := list[len(list)-1].ID; f.Newest {
			out.NextBefore = last
		} else {
			out.NextAfter = last
		}
	}
	c.JSON(http.StatusOK, out)
}

// NotificationStatus reports a delivery.
type NotificationStatus struct {
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
	// IfStatus, when given, makes the report conditional: it is refused
	// (409) unless the message still stands so. Staff send pending, so a
	// colleague's report made meanwhile is not overwritten unseen.
	IfStatus string `json:"if_status,omitempty"`
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
	if len(in.Note) > maxNotificationNote {
		abort(c, http.StatusBadRequest, fmt.Sprintf("note must be at most %d characters", maxNotificationNote), "note")
		return
	}
	if in.IfStatus != "" && in.IfStatus != "pending" && in.IfStatus != "sent" && in.IfStatus != "failed" {
		abort(c, http.StatusBadRequest, "if_status must be pending, sent or failed", "if_status")
		return
	}
	err = s.store.MarkNotificationIf(c, id, in.Status, in.Note, in.IfStatus, s.now())
	var moved *store.NotificationMoved
	switch {
	case errors.Is(err, store.ErrNotFound):
		abort(c, http.StatusNotFound, "notification not found", "")
	case errors.As(err, &moved):
		abort(c, http.StatusConflict, fmt.Sprintf("the message is %s, not %s: someone reported it meanwhile", moved.Status, in.IfStatus), "")
	case err != nil:
		s.internal(c, "mark the notification", err)
	default:
		c.Status(http.StatusNoContent)
	}
}
