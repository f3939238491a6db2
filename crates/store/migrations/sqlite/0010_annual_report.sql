-- Every group's figures in each period an equality report was recorded for (a later run of the
-- same period replaces them), so a finding's history follows the periods, not the order reports
-- were run, and includes periods measured before it was first flagged.
CREATE TABLE report_figures (
    scope TEXT NOT NULL,
    measure TEXT NOT NULL,
    breakdown TEXT NOT NULL,
    group_code TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    flagged INTEGER NOT NULL,
    rate REAL,
    ratio REAL,
    ratio_lower REAL,
    ratio_upper REAL,
    q REAL,
    PRIMARY KEY (scope, measure, breakdown, group_code, period_from, period_to)
);
CREATE INDEX report_figures_by_run ON report_figures (scope, period_from, period_to);

-- Each explanation, reform plan or review, dated and tied to the flagged periods it answers.
CREATE TABLE finding_responses (
    id INTEGER PRIMARY KEY NOT NULL,
    finding_id INTEGER NOT NULL REFERENCES findings (id),
    kind TEXT NOT NULL CHECK (kind IN ('explained', 'reform_planned', 'reviewed')),
    body TEXT NOT NULL,
    review_by TEXT,
    at BIGINT NOT NULL,
    by_whom TEXT NOT NULL,
    periods TEXT NOT NULL
);
CREATE INDEX finding_responses_by_finding ON finding_responses (finding_id, id);

-- The governor's annual equality report, one row per version: a draft is written, a signed
-- version is frozen (its document and tables kept as published), a correction is a new version.
CREATE TABLE annual_reports (
    id INTEGER PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL,
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
    sections TEXT NOT NULL,
    started_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    correction_reason TEXT,
    signed_by TEXT,
    signed_at BIGINT,
    document TEXT,
    UNIQUE (scope, year, version)
);

-- The tables of a published version as CSV, frozen with it.
CREATE TABLE annual_report_files (
    report_id INTEGER NOT NULL REFERENCES annual_reports (id),
    name TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (report_id, name)
);
