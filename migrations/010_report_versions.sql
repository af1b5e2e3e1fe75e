-- Generated reports, kept: regenerating a report for a period adds version
-- n+1 and leaves the earlier versions downloadable.
CREATE TABLE report_versions (
    id         bigserial PRIMARY KEY,
    kind       text        NOT NULL,
    period     text        NOT NULL,
    branch     text        NOT NULL DEFAULT '',
    version    integer     NOT NULL,
    format     text        NOT NULL,
    bytes      bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text        NOT NULL,
    -- key makes a retried generation store its version once.
    key        text UNIQUE,
    UNIQUE (kind, period, branch, version)
);
CREATE INDEX report_versions_list ON report_versions (kind, period, created_at DESC, id DESC);

-- The audit evidence reads the period's events by time.
CREATE INDEX IF NOT EXISTS complaint_events_at ON complaint_events (at);
CREATE INDEX IF NOT EXISTS survey_cycle_events_at ON survey_cycle_events (at);
