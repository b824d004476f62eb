-- The audit trail: one row per event, chained by an HMAC (see docs/audit-format.md).
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    time_ms BIGINT NOT NULL,
    event TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (time_ms);
