-- Findings: each disparity the equality report flags, kept across runs and matched by scope,
-- measure, breakdown and group, with who owns it and how it was explained or reformed.
CREATE TABLE findings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope TEXT NOT NULL,
    measure TEXT NOT NULL,
    breakdown TEXT NOT NULL,
    group_code TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'explained', 'reform_planned', 'reviewed')),
    seen TEXT NOT NULL CHECK (seen IN ('new', 'persists', 'no_longer_flagged')),
    owner TEXT REFERENCES staff (username),
    evidence TEXT,
    actions TEXT,
    review_by TEXT,
    review_outcome TEXT,
    first_period TEXT NOT NULL,
    last_period TEXT NOT NULL,
    last_run_at BIGINT NOT NULL,
    ratio DOUBLE PRECISION,
    q DOUBLE PRECISION,
    UNIQUE (scope, measure, breakdown, group_code)
);

-- Every change to a finding, oldest first: flagged, not flagged, explained, reform planned, reviewed.
CREATE TABLE finding_updates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    finding_id BIGINT NOT NULL REFERENCES findings (id),
    at BIGINT NOT NULL,
    by_whom TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX finding_updates_by_finding ON finding_updates (finding_id, id);
