-- A read-model row is provisional from the moment a workflow writes it until
-- the workflow's own committed state is known to match it: the API confirms
-- the write an Update it sent answered for (same version and cause), the
-- reconciler confirms or repairs the rest from the workflow. A write whose
-- workflow task was never committed (a Temporal outage at the wrong moment)
-- thus never stays shown. write_cause names what made the write: the Update's
-- ID, or "workflow" for the workflow's own timers.
ALTER TABLE complaints ADD COLUMN write_cause text NOT NULL DEFAULT '';
ALTER TABLE complaints ADD COLUMN confirmed boolean NOT NULL DEFAULT true;
CREATE INDEX complaints_unconfirmed ON complaints (updated_at) WHERE NOT confirmed;

ALTER TABLE improvement_actions ADD COLUMN write_cause text NOT NULL DEFAULT '';
ALTER TABLE improvement_actions ADD COLUMN confirmed boolean NOT NULL DEFAULT true;
CREATE INDEX improvement_actions_unconfirmed ON improvement_actions (updated_at) WHERE NOT confirmed;

-- Steps sent with an Idempotency-Key, per case, Update and caller: the body's
-- hash tells a retry from a different request under the same key, and the
-- Update ID sends a retry to the same Update (Temporal answers it from the
-- first). done_version is the case's version once the step was answered, so a
-- retry after the workflow closed is answered without it.
CREATE TABLE step_requests (
    kind         text        NOT NULL,
    case_id      text        NOT NULL,
    update_name  text        NOT NULL,
    actor_id     text        NOT NULL,
    key          text        NOT NULL,
    body_hash    text        NOT NULL,
    update_id    text        NOT NULL,
    done_version integer,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, case_id, update_name, actor_id, key)
);
