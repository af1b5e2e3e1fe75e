-- Department assessment (部门考核): the internal auditors' standards checks
-- (monthly service score, 考评办法) and the yearly credits for satisfaction
-- work and customer awards (002 第二十九条).

CREATE TABLE assessment_checks (
    id           uuid PRIMARY KEY,
    department   text          NOT NULL,
    month        text          NOT NULL, -- YYYY-MM
    item         text          NOT NULL,
    earned       numeric(8,2)  NOT NULL,
    possible     numeric(8,2)  NOT NULL,
    note         text          NOT NULL DEFAULT '',
    auditor      text          NOT NULL,
    auditor_name text          NOT NULL DEFAULT '',
    created_at   timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX assessment_checks_month ON assessment_checks (month, department);

CREATE TABLE assessment_credits (
    id         uuid PRIMARY KEY,
    department text          NOT NULL,
    year       integer       NOT NULL,
    kind       text          NOT NULL,
    points     numeric(6,2)  NOT NULL,
    reason     text          NOT NULL,
    entered_by text          NOT NULL,
    created_at timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX assessment_credits_year ON assessment_credits (year, department);
