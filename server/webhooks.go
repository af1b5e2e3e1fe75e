package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
)

// WebhookRequest registers a webhook (app.CreateWebhook).
type WebhookRequest = app.WebhookRequest

// WebhookList is the registered webhooks, without their secrets.
type WebhookList struct {
	Items []app.Webhook `json:"items" doc:"The webhooks, oldest first."`
}

// WebhookDeliveryList is a webhook's latest deliveries, newest first.
type WebhookDeliveryList struct {
	Items []app.WebhookDelivery `json:"items" doc:"The latest 100 deliveries, newest first, each with its attempts."`
}

func (s *Server) createWebhook(c *gin.Context) {
	var in WebhookRequest
	if !bindJSON(c, &in, "") {
		return
	}
	w, err := s.app.CreateWebhook(c, actor(c), in)
	if err != nil {
		s.fail(c, "register the webhook", err)
		return
	}
	c.Set(auditTargetKey, w.ID)
	c.JSON(http.StatusCreated, w)
}

func (s *Server) listWebhooks(c *gin.Context) {
	list, err := s.app.Webhooks(c, actor(c))
	if err != nil {
		s.fail(c, "list the webhooks", err)
		return
	}
	if list == nil {
		list = []app.Webhook{}
	}
	c.JSON(http.StatusOK, WebhookList{Items: list})
}

func (s *Server) deleteWebhook(c *gin.Context) {
	if err := s.app.DeleteWebhook(c, actor(c), c.Param("id")); err != nil {
		s.fail(c, "delete the webhook", err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) webhookDeliveries(c *gin.Context) {
	list, err := s.app.WebhookDeliveries(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "list the webhook's deliveries", err)
		return
	}
	if list == nil {
		list = []app.WebhookDelivery{}
	}
	c.JSON(http.StatusOK, WebhookDeliveryList{Items: list})
}

func (s *Server) testWebhook(c *gin.Context) {
	res, err := s.app.TestWebhook(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "test the webhook", err)
		return
	}
	c.JSON(http.StatusOK, res)
}
