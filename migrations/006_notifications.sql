-- The outbox: messages cxflow wants delivered (survey invitations and
-- reminders by e-mail, tasks for staff, escalation notices). A mail relay or
-- the staff pick them up through the API and mark them sent; the key makes a
-- retried activity enqueue a message once.
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    key        text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    channel    text        NOT NULL CHECK (channel IN ('email', 'task')),
    recipient  text        NOT NULL,
    subject    text        NOT NULL,
    body       text        NOT NULL,
    link       text        NOT NULL DEFAULT '',
    related    text        NOT NULL DEFAULT '',
    status     text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    sent_at    timestamptz,
    note       text        NOT NULL DEFAULT ''
);
CREATE INDEX notifications_pending ON notifications (id) WHERE status = 'pending';
CREATE INDEX notifications_related ON notifications (related);
