-- The foundation: establishments, people and their append-only timeline (SQLite).
-- Instants are BIGINT microseconds since the Unix epoch (UTC); dates are YYYY-MM-DD text.
CREATE TABLE establishments (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    population TEXT NOT NULL
);

CREATE TABLE people (
    prison_number TEXT PRIMARY KEY NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    nhs_number TEXT
);

CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    prison_number TEXT NOT NULL REFERENCES people (prison_number),
    kind TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    -- A correction names the one event it replaces; an event is replaced at most once.
    supersedes TEXT UNIQUE REFERENCES events (id) DEFERRABLE INITIALLY DEFERRED,
    correction_reason TEXT,
    details TEXT NOT NULL,
    CHECK ((supersedes IS NULL) = (correction_reason IS NULL))
);
CREATE INDEX events_by_person ON events (prison_number, occurred_at);
CREATE INDEX events_by_kind ON events (kind, occurred_at);

-- The timeline is append-only: a correction is a new event, never an edit.
CREATE TRIGGER events_are_not_updated BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: record a correction instead');
END;
CREATE TRIGGER events_are_not_deleted BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: record a correction instead');
END;
