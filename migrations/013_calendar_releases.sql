-- The shipped holiday years each calendar has been offered by a release, so a
-- year is added once: a year an administrator later removes or corrects is
-- never put back or overwritten by the next start-up.
CREATE TABLE calendar_shipped_years (
    name       text        NOT NULL,
    year       integer     NOT NULL,
    release    text        NOT NULL,
    offered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, year)
);
