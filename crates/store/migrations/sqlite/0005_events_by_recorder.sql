-- Home pages list what a member of staff recorded lately (a partner's sessions): find them by who recorded them.
CREATE INDEX events_by_recorder ON events (recorded_by, occurred_at);
