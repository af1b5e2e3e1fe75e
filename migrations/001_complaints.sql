-- The complaint read model. The workflow is the source of truth for process
-- state; these tables serve lists, reports and the audit trail.

-- Human-readable numbers (编号管理, 001): one counter per year, one number per complaint.
CREATE TABLE complaint_number_counters (
    prefix text    NOT NULL,
    year   integer NOT NULL,
    last   bigint  NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE complaint_numbers (
    complaint_id uuid PRIMARY KEY,
    number       text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- The complaint register (客诉履历表): filterable columns plus the complete view.
CREATE TABLE complaints (
    id                uuid PRIMARY KEY,
    number            text          NOT NULL UNIQUE,
    status            text          NOT NULL,
    resolution        text          NOT NULL DEFAULT '',
    severity          text          NOT NULL,
    category          text          NOT NULL,
    channel           text          NOT NULL,
    complainant_class text          NOT NULL,
    branch            text          NOT NULL DEFAULT '',
    department        text          NOT NULL DEFAULT '',
    handler           text          NOT NULL DEFAULT '',
    subject           text          NOT NULL,
    estimated_loss    numeric(14,2) NOT NULL,
    received_at       timestamptz   NOT NULL,
    created_at        timestamptz   NOT NULL,
    closed_at         timestamptz,
    due_at            timestamptz,
    escalation_level  text          NOT NULL,
    reopen_count      integer       NOT NULL DEFAULT 0,
    policy_version    text          NOT NULL,
    idempotency_key   text UNIQUE,
    request_hash      text          NOT NULL DEFAULT '',
    version           integer       NOT NULL,
    view              jsonb         NOT NULL,
    updated_at        timestamptz   NOT NULL DEFAULT now()
);

CREATE INDEX complaints_received ON complaints (received_at DESC, id DESC);
CREATE INDEX complaints_status ON complaints (status, received_at DESC, id DESC);
CREATE INDEX complaints_department ON complaints (department, received_at DESC, id DESC);
CREATE INDEX complaints_open_due ON complaints (due_at) WHERE status <> 'closed';

-- The timeline: who did what, when, with each step's content.
CREATE TABLE complaint_events (
    complaint_id     uuid        NOT NULL REFERENCES complaints (id),
    seq              integer     NOT NULL,
    at               timestamptz NOT NULL,
    step             text        NOT NULL,
    action           text        NOT NULL,
    actor_id         text        NOT NULL,
    actor_name       text        NOT NULL DEFAULT '',
    actor_role       text        NOT NULL DEFAULT '',
    actor_department text        NOT NULL DEFAULT '',
    detail           jsonb,
    PRIMARY KEY (complaint_id, seq)
);

-- Escalations of overdue (or reopened) steps, for the overdue report.
CREATE TABLE complaint_escalations (
    complaint_id uuid        NOT NULL REFERENCES complaints (id),
    seq          integer     NOT NULL,
    step         text        NOT NULL,
    level        text        NOT NULL,
    at           timestamptz NOT NULL,
    due_at       timestamptz,
    reason       text        NOT NULL,
    PRIMARY KEY (complaint_id, seq)
);
CREATE INDEX complaint_escalations_at ON complaint_escalations (at);
