-- Obligations: what the standards engine derives from each person's timeline, kept up to date in
-- the same transaction as the events that change it. A projection: rebuilt per person, never edited by hand.
CREATE TABLE obligations (
    standard TEXT NOT NULL,
    trigger_event TEXT NOT NULL REFERENCES events (id),
    period BIGINT NOT NULL,
    prison_number TEXT NOT NULL REFERENCES people (prison_number),
    establishment TEXT,
    team TEXT NOT NULL,
    key_worker TEXT,
    opened_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'met_on_time', 'met_late', 'not_applicable', 'unmet')),
    closed_at BIGINT,
    closed_by TEXT,
    reason TEXT,
    PRIMARY KEY (standard, trigger_event, period)
);
CREATE INDEX obligations_worklist ON obligations (establishment, status, due_at);
CREATE INDEX obligations_by_person ON obligations (prison_number);
CREATE INDEX obligations_by_due ON obligations (due_at, standard);

-- Small named values the system keeps, such as how far recurring obligations are rolled forward.
CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
