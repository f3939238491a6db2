-- The kiosk for people in prison: each person's PIN (set by staff at reception), its throttle
-- against guessing, the language and format they chose, and their sessions on a shared terminal.
CREATE TABLE kiosk_accounts (
    prison_number TEXT PRIMARY KEY NOT NULL REFERENCES people (prison_number),
    pin_hash TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    -- Failed sign-ins since the last success; each one doubles the wait before the next try.
    failures BIGINT NOT NULL DEFAULT 0,
    wait_until BIGINT NOT NULL DEFAULT 0,
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'cy')),
    easy_read BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE kiosk_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    prison_number TEXT NOT NULL REFERENCES kiosk_accounts (prison_number),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX kiosk_sessions_by_person ON kiosk_sessions (prison_number);
