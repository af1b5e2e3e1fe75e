-- cxflow delivers the outbox's e-mail itself (issue #12): each message by a
-- small workflow of its own (delivery:<id>) whose activity records every
-- attempt here with the server's answer. dispatched_at is when that workflow
-- was started; the dispatcher starts one for every pending e-mail without.
-- Tasks for staff stay for people to work through, as before.
ALTER TABLE notifications ADD COLUMN dispatched_at timestamptz;
ALTER TABLE notifications ADD COLUMN attempts integer NOT NULL DEFAULT 0;
CREATE INDEX notifications_undispatched ON notifications (id)
    WHERE status = 'pending' AND channel = 'email' AND dispatched_at IS NULL;

CREATE TABLE notification_attempts (
    notification_id bigint      NOT NULL REFERENCES notifications (id),
    attempt         integer     NOT NULL,
    at              timestamptz NOT NULL,
    -- accepted: the server took it; temporary: to be retried; permanent:
    -- the server refused it for good.
    outcome         text        NOT NULL CHECK (outcome IN ('accepted', 'temporary', 'permanent')),
    answer          text        NOT NULL DEFAULT '',
    PRIMARY KEY (notification_id, attempt)
);
