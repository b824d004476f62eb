-- Client keys (SPEC §6). Portable SQL: the same text runs on SQLite and PostgreSQL.
-- Times are unix milliseconds (BIGINT); lists are JSON arrays in TEXT; the key itself is never
-- stored, only HMAC-SHA256(pepper, key) in lowercase hex.
CREATE TABLE client_keys (
    id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    allowed_models TEXT,
    requests_per_minute BIGINT,
    tokens_per_minute BIGINT,
    tokens_per_day BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);

CREATE UNIQUE INDEX client_keys_key_hash ON client_keys (key_hash);
