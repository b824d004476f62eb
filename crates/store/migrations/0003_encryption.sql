-- Encryption at rest (SPEC §7; docs/OPERATIONS.md). The keyring tables (keyring_meta,
-- subject_keys) are used in the keyring database and the conversations table in the data
-- database; both databases carry the one schema, so there is one set of migrations.
-- The master key is never stored: only its id and a value that only it opens.
CREATE TABLE keyring_meta (
    id BIGINT PRIMARY KEY,
    kek_id TEXT NOT NULL,
    check_value TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    rotated_at BIGINT
);

-- One data key per data subject, sealed by the master key (AES-256-GCM, bound to the subject).
-- `subject` is the keyed hash of the subject's id, never the id.
CREATE TABLE subject_keys (
    subject TEXT PRIMARY KEY,
    wrapped_key TEXT NOT NULL,
    kek_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Stored prompts and answers ([store] conversations = true), sealed under the subject's data key.
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    principal TEXT,
    request_id TEXT NOT NULL,
    model TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    body TEXT NOT NULL
);
CREATE INDEX conversations_subject ON conversations (subject);
CREATE INDEX conversations_expires ON conversations (expires_at);
