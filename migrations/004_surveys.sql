-- Satisfaction measurement: customers, survey programmes, cycles, who was
-- chosen and why, invitations and answers. Everything that grows with the
-- number of customers or answers lives here, never in a workflow history.

CREATE TABLE customers (
    id             text PRIMARY KEY,
    name           text          NOT NULL,
    tier           text          NOT NULL DEFAULT '',
    annual_volume  numeric(16,2) NOT NULL DEFAULT 0,
    years          integer       NOT NULL DEFAULT 0,
    potential      boolean       NOT NULL DEFAULT false,
    representative boolean       NOT NULL DEFAULT false,
    segment        text          NOT NULL DEFAULT '',
    contacts       jsonb         NOT NULL DEFAULT '[]',
    updated_at     timestamptz   NOT NULL DEFAULT now()
);

CREATE TABLE survey_programmes (
    id         uuid PRIMARY KEY,
    name       text        NOT NULL,
    data       jsonb       NOT NULL,
    version    integer     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE survey_cycles (
    id               uuid PRIMARY KEY,
    programme_id     uuid        NOT NULL REFERENCES survey_programmes (id),
    workflow_id      text        NOT NULL,
    status           text        NOT NULL,
    definition       jsonb       NOT NULL,
    population       integer     NOT NULL DEFAULT 0,
    chosen           integer     NOT NULL DEFAULT 0,
    issued           integer     NOT NULL DEFAULT 0,
    opened_at        timestamptz,
    closes_at        timestamptz,
    closed_at        timestamptz,
    escalation_level text        NOT NULL DEFAULT '',
    actions          integer     NOT NULL DEFAULT 0,
    stats            jsonb,
    -- Keys anonymous answers to their invitation while the cycle is open (so a
    -- resubmission replaces the first); wiped at close, after which no answer
    -- can be traced to a person.
    anon_salt        bytea,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX survey_cycles_programme ON survey_cycles (programme_id, created_at DESC);

CREATE TABLE survey_selections (
    cycle_id    uuid    NOT NULL REFERENCES survey_cycles (id),
    customer_id text    NOT NULL,
    rule        text    NOT NULL DEFAULT '',
    reason      text    NOT NULL,
    chosen      boolean NOT NULL,
    rank        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (cycle_id, customer_id)
);

CREATE TABLE survey_invitations (
    id               uuid PRIMARY KEY,
    cycle_id         uuid        NOT NULL REFERENCES survey_cycles (id),
    customer_id      text        NOT NULL,
    channel          text        NOT NULL,
    issued_at        timestamptz NOT NULL DEFAULT now(),
    reminders        integer     NOT NULL DEFAULT 0,
    last_reminded_at timestamptz,
    answered_at      timestamptz,
    UNIQUE (cycle_id, customer_id)
);
CREATE INDEX survey_invitations_open ON survey_invitations (cycle_id) WHERE answered_at IS NULL;

CREATE TABLE survey_answers (
    answer_key  text PRIMARY KEY,
    cycle_id    uuid        NOT NULL REFERENCES survey_cycles (id),
    customer_id text,
    answer      jsonb       NOT NULL,
    channel     text        NOT NULL,
    surveyed_by text        NOT NULL DEFAULT '',
    respondent  text        NOT NULL DEFAULT '',
    answered_at timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX survey_answers_cycle ON survey_answers (cycle_id);

-- What the cycle did, in order: drawn, issued, reminded, escalated, closed.
CREATE TABLE survey_cycle_events (
    cycle_id uuid        NOT NULL REFERENCES survey_cycles (id),
    seq      integer     NOT NULL,
    at       timestamptz NOT NULL,
    action   text        NOT NULL,
    detail   jsonb,
    PRIMARY KEY (cycle_id, seq)
);
