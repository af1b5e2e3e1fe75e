-- Outgoing webhooks (issue #12): an administrator subscribes a URL to event
-- types; each event is delivered through the outbox (channel webhook, one
-- message per event and subscription) like an e-mail. The signing secret is
-- kept sealed with the payload keyring (secret_key_id names the key), never
-- in the clear and never returned by the API.
CREATE TABLE webhooks (
    id            uuid        PRIMARY KEY,
    url           text        NOT NULL,
    events        text[]      NOT NULL,
    secret_key_id text        NOT NULL,
    secret        bytea       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text        NOT NULL
);

ALTER TABLE notifications DROP CONSTRAINT notifications_channel_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_channel_check CHECK (channel IN ('email', 'task', 'webhook'));
DROP INDEX notifications_undispatched;
CREATE INDEX notifications_undispatched ON notifications (id)
    WHERE status = 'pending' AND channel IN ('email', 'webhook') AND dispatched_at IS NULL;
