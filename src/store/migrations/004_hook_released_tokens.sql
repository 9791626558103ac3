-- Every access token whose hook call released a hash, kept as long as that token could be presented again:
-- a call is answered once per token, whichever tokens came after it (the ledger row remembers only the last).
CREATE TABLE hook_released_tokens (
  legacy_id   text        NOT NULL,
  digest      text        NOT NULL,
  released_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (legacy_id, digest)
);
CREATE INDEX hook_released_tokens_released_at ON hook_released_tokens (released_at);
-- Superseded by the table above.
ALTER TABLE migration_ledger DROP COLUMN released_token;
