-- Staff accounts, sessions, API tokens, the hash-chained audit trail, and where each person is (SQLite).
CREATE TABLE staff (
    username TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    establishment TEXT REFERENCES establishments (code),
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

-- Only a hash of each session and API token is stored: a copy of the database signs nobody in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL REFERENCES staff (username),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL REFERENCES staff (username),
    created_at BIGINT NOT NULL
);

-- Every sign-in, change and read of special-category data; each entry hashes the one before.
CREATE TABLE audit (
    seq BIGINT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_subject ON audit (subject, seq);
CREATE TRIGGER audit_is_not_updated BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_is_not_deleted BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- Where each person is now (or was last), kept with their obligations: for search and need-to-know.
CREATE TABLE custody (
    prison_number TEXT PRIMARY KEY NOT NULL REFERENCES people (prison_number),
    establishment TEXT,
    location TEXT,
    in_custody BOOLEAN NOT NULL
);
CREATE INDEX custody_by_establishment ON custody (establishment, in_custody);
