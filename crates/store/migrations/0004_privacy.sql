-- Data-protection duties (SPEC §8; docs/COMPLIANCE.md). Subjects appear only as keyed hashes
-- (`subj_…`), never as the ids clients gave.

-- Consent per subject and purpose: granted (1) or withdrawn (0), with when it last changed.
CREATE TABLE consents (
    subject TEXT NOT NULL,
    purpose TEXT NOT NULL,
    granted BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (subject, purpose)
);

-- Per-subject settings: the CCPA opt-out of sharing (`do_not_share`, 1 = opted out).
CREATE TABLE subject_settings (
    subject TEXT PRIMARY KEY,
    do_not_share BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Incidents for breach notification: what happened, to whom (principal ids, subject hashes) and
-- when. `dedup` keeps one incident per cause (the first bad sequence number of a broken chain).
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    summary TEXT NOT NULL,
    principals TEXT NOT NULL,
    subjects TEXT NOT NULL,
    request_ids TEXT NOT NULL,
    dedup TEXT UNIQUE
);
CREATE INDEX incidents_created ON incidents (created_at);

-- Where the audit chain starts after its head was purged past retention: the last purged event's
-- sequence number and MAC, signed (HMAC) with a key derived from the pepper.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    mac TEXT NOT NULL,
    purged_before_ms BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    signature TEXT NOT NULL
);
