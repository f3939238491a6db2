-- What an establishment keeps about itself, appended like a person's timeline: its equality team
-- and forums, festival plans, the voluntary and arts directory, regime curtailments and the
-- scrutiny of complaints (crates/core/src/establishment.rs). Never edited.
CREATE TABLE establishment_events (
    id TEXT PRIMARY KEY NOT NULL,
    establishment TEXT NOT NULL REFERENCES establishments (code),
    kind TEXT NOT NULL,
    details TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    seq BIGINT NOT NULL
);
CREATE INDEX establishment_events_in_order ON establishment_events (establishment, seq);

-- A form saved before it is complete (a discrimination complaint), so nothing is lost: whose it
-- is, about whom, and the fields as typed. Deleted when the form is sent.
CREATE TABLE drafts (
    id TEXT PRIMARY KEY NOT NULL,
    form TEXT NOT NULL,
    owner TEXT NOT NULL,
    prison_number TEXT NOT NULL REFERENCES people (prison_number),
    fields TEXT NOT NULL,
    saved_at BIGINT NOT NULL
);
CREATE INDEX drafts_by_owner ON drafts (owner, form);
