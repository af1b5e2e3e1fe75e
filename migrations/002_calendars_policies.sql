-- Working calendars (working hours, holidays, make-up days) and versioned
-- complaint policies, both managed by administrators through the API.

CREATE TABLE calendars (
    name       text PRIMARY KEY,
    version    integer     NOT NULL,
    data       jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text        NOT NULL DEFAULT ''
);

-- Every version ever saved, so a complaint's deadline can be traced to the
-- calendar it was computed on.
CREATE TABLE calendar_versions (
    name       text        NOT NULL,
    version    integer     NOT NULL,
    data       jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text        NOT NULL DEFAULT '',
    PRIMARY KEY (name, version)
);

CREATE TABLE complaint_policies (
    version    text PRIMARY KEY,
    data       jsonb       NOT NULL,
    active     boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text        NOT NULL DEFAULT ''
);
-- At most one policy is active: new complaints start under it.
CREATE UNIQUE INDEX complaint_policies_one_active ON complaint_policies (active) WHERE active;

-- The calendar a complaint counts on, and its current step's warning time, for
-- SLA filters and calendar roll-outs.
ALTER TABLE complaints ADD COLUMN calendar text NOT NULL DEFAULT '';
ALTER TABLE complaints ADD COLUMN warn_at timestamptz;
ALTER TABLE complaints ADD COLUMN paused boolean NOT NULL DEFAULT false;
ALTER TABLE complaints ADD COLUMN paused_sla_status text NOT NULL DEFAULT '';
CREATE INDEX complaints_open_calendar ON complaints (calendar) WHERE status <> 'closed';
