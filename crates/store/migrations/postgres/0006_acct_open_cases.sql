-- The open ACCT cases as the register shows them: a projection kept beside the obligations and
-- replaced whenever a person's events change, so the register reads one row per open case
-- instead of every observation ever recorded. Rebuilt from the timeline (see store::acct).
CREATE TABLE acct_open_cases (
    prison_number TEXT NOT NULL REFERENCES people (prison_number),
    acct TEXT NOT NULL REFERENCES events (id),
    opened_at BIGINT NOT NULL,
    case_manager TEXT,
    observations_day TEXT,
    observations_night TEXT,
    next_review TEXT,
    -- Gaps in the ongoing record that have ended; the one still running is worked out when read.
    gaps_ended BIGINT NOT NULL,
    running_from BIGINT,
    running_allowed_minutes BIGINT,
    PRIMARY KEY (prison_number, acct)
);
