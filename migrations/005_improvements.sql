-- Improvement actions (改进计划 · 纠正预防措施): the read model of the
-- improvement workflows. The workflow is the source of truth; these tables
-- serve lists, the auditor's follow-up and reports.

CREATE TABLE improvement_actions (
    id                  uuid PRIMARY KEY,
    -- What the action answers: a survey cycle's dimension, a complaint, or nothing.
    source_kind         text        NOT NULL CHECK (source_kind IN ('survey', 'complaint', 'manual')),
    source_cycle_id     text        NOT NULL DEFAULT '',
    source_complaint_id uuid,
    dimension           text        NOT NULL DEFAULT '',
    -- The key the action was opened under (its ID derives from it), if any.
    business_key        text UNIQUE,
    department          text        NOT NULL,
    title               text        NOT NULL,
    status              text        NOT NULL,
    resolution          text        NOT NULL DEFAULT '',
    round               integer     NOT NULL,
    refs                integer     NOT NULL DEFAULT 0,
    due_at              timestamptz NOT NULL,
    step_due_at         timestamptz,
    escalation_level    text        NOT NULL,
    opened_by           text        NOT NULL,
    policy_version      text        NOT NULL,
    request_hash        text        NOT NULL DEFAULT '',
    version             integer     NOT NULL,
    view                jsonb       NOT NULL,
    created_at          timestamptz NOT NULL,
    closed_at           timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX improvement_actions_created ON improvement_actions (created_at DESC, id DESC);
CREATE INDEX improvement_actions_department ON improvement_actions (department, created_at DESC, id DESC);
CREATE INDEX improvement_actions_status ON improvement_actions (status, created_at DESC, id DESC);
CREATE INDEX improvement_actions_survey ON improvement_actions (source_cycle_id, dimension) WHERE source_kind = 'survey';
CREATE INDEX improvement_actions_complaint ON improvement_actions (source_complaint_id) WHERE source_complaint_id IS NOT NULL;
CREATE INDEX improvement_actions_open_due ON improvement_actions (step_due_at) WHERE status <> 'closed';

-- The timeline: who did what, when, in which PDCA round; earlier rounds stay.
CREATE TABLE improvement_events (
    action_id        uuid        NOT NULL REFERENCES improvement_actions (id),
    seq              integer     NOT NULL,
    at               timestamptz NOT NULL,
    step             text        NOT NULL,
    round            integer     NOT NULL,
    action           text        NOT NULL,
    actor_id         text        NOT NULL,
    actor_name       text        NOT NULL DEFAULT '',
    actor_role       text        NOT NULL DEFAULT '',
    actor_department text        NOT NULL DEFAULT '',
    detail           jsonb,
    PRIMARY KEY (action_id, seq)
);

-- Escalations of overdue steps, with who was told.
CREATE TABLE improvement_escalations (
    action_id uuid        NOT NULL REFERENCES improvement_actions (id),
    seq       integer     NOT NULL,
    step      text        NOT NULL,
    round     integer     NOT NULL,
    level     text        NOT NULL,
    at        timestamptz NOT NULL,
    due_at    timestamptz,
    reason    text        NOT NULL,
    notify    text[]      NOT NULL DEFAULT '{}',
    PRIMARY KEY (action_id, seq)
);
CREATE INDEX improvement_escalations_at ON improvement_escalations (at);
