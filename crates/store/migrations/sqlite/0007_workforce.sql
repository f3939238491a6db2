-- Staff availability and training: what key worker allocation reads (who is away today) and
-- what the share of key workers trained is counted from (report recommendations P1-B, P2-D).
-- Staff are named by their reference, as on events; not every key worker has an account.
CREATE TABLE staff_absences (
    id INTEGER PRIMARY KEY NOT NULL,
    staff TEXT NOT NULL,
    establishment TEXT NOT NULL REFERENCES establishments (code),
    kind TEXT NOT NULL CHECK (kind IN ('ANNUAL_LEAVE', 'LONG_TERM_ABSENCE')),
    starts_on TEXT NOT NULL,
    -- Null: until further notice (a long-term absence without a return date).
    ends_on TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX staff_absences_by_establishment ON staff_absences (establishment, starts_on);

CREATE TABLE training_sessions (
    id INTEGER PRIMARY KEY NOT NULL,
    establishment TEXT NOT NULL REFERENCES establishments (code),
    topic TEXT NOT NULL CHECK (topic IN ('PROTECTED_CHARACTERISTICS', 'LIFE_EVENTS')),
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    coproduced BOOLEAN NOT NULL,
    lived_experience BOOLEAN NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE training_attendance (
    session_id BIGINT NOT NULL REFERENCES training_sessions (id),
    staff TEXT NOT NULL,
    PRIMARY KEY (session_id, staff)
);

-- A key worker's own people, found from their obligations rather than the whole prison's timelines.
CREATE INDEX obligations_by_key_worker ON obligations (key_worker, establishment);
