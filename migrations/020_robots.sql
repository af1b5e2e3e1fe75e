-- Group-chat robots per department (issue #12): DingTalk, WeCom, Feishu.
-- A robot's webhook URL carries its access token or key and its secret signs
-- its messages: both are kept sealed with the payload keyring (box, sealed
-- under box_key_id), never in the clear and never returned; display is the
-- URL without its query, for people to recognise it.
CREATE TABLE robots (
    id         uuid        PRIMARY KEY,
    department text        NOT NULL REFERENCES departments (id),
    vendor     text        NOT NULL CHECK (vendor IN ('dingtalk', 'wecom', 'feishu')),
    display    text        NOT NULL,
    box_key_id text        NOT NULL,
    box        bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text        NOT NULL
);
CREATE INDEX robots_department ON robots (department);

ALTER TABLE notifications DROP CONSTRAINT notifications_channel_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_channel_check CHECK (channel IN ('email', 'task', 'webhook', 'robot'));
DROP INDEX notifications_undispatched;
CREATE INDEX notifications_undispatched ON notifications (id)
    WHERE status = 'pending' AND channel IN ('email', 'webhook', 'robot') AND dispatched_at IS NULL;
