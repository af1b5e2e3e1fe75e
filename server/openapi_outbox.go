package server

import (
	"reflect"

	"github.com/cxflow/cxflow/store"
)

func init() {
	operationAccess["GET /api/v1/notifications/counts"] = outboxAccess
	fieldEnums[fieldKey{reflect.TypeFor[NotificationStatus](), "if_status"}] = "OutboxStatus"
	for t, doc := range map[reflect.Type]string{
		reflect.TypeFor[store.OutboxCounts](): "How many outbox messages stand in each status, by channel.",
		reflect.TypeFor[store.OutboxTally]():  "The messages of one status.",
	} {
		typeDocs[t] = doc
	}
	for k, doc := range map[fieldKey]string{
		{reflect.TypeFor[store.OutboxCounts](), "pending"}: "Not delivered yet: e-mails for the relay to send, tasks for the staff to do.",
		{reflect.TypeFor[store.OutboxCounts](), "sent"}:    "Reported sent.",
		{reflect.TypeFor[store.OutboxCounts](), "failed"}:  "Reported failed.",
		{reflect.TypeFor[store.OutboxTally](), "email"}:    "E-mails.",
		{reflect.TypeFor[store.OutboxTally](), "task"}:     "Tasks for staff.",
		{reflect.TypeFor[store.OutboxTally](), "total"}:    "Both: email plus task.",

		{reflect.TypeFor[NotificationList](), "next_before"}: "Present when a page listed newest first is full: pass it as before for the next page.",
		{reflect.TypeFor[NotificationStatus](), "if_status"}: "Only if the message still stands so: otherwise the report is refused with a 409 and changes nothing. " +
			"Staff reporting a pending message send pending, so that a colleague's report made meanwhile is not overwritten unseen.",
	} {
		fieldDocs[k] = doc
	}
	fieldExtras[fieldKey{reflect.TypeFor[NotificationList](), "next_before"}] = obj{"format": "int64", "minimum": 1}
}

// outboxCountsPaths documents the outbox's counts.
func outboxCountsPaths(g *schemaGen, paths obj) {
	paths["/api/v1/notifications/counts"] = obj{"get": obj{
		"operationId": "countNotifications",
		"tags":        []string{"notifications"},
		"summary":     "Count the outbox",
		"description": "How many messages are pending, sent and failed, each by channel (email, task): what waits for the staff or the relay, without reading the messages.",
		"responses": obj{
			"200": obj{"description": "The counts.", "content": jsonContent(g.schema(reflect.TypeFor[store.OutboxCounts]()))},
			"500": errResponse("InternalError"),
		},
	}}
}
