-- The migration ledger: one row per legacy user that logged in at the bridge or was migrated.
-- The source of truth for "migrated"; every state change is one transaction.
CREATE TABLE migration_ledger (
  legacy_id            text        PRIMARY KEY,
  state                text        NOT NULL CHECK (state IN ('seen', 'migrated', 'failed')),
  method               text        CHECK (method IN ('hook', 'provision', 'actions-v1', 'batch')),
  zitadel_user_id      text,
  handoff              text        CHECK (handoff IN ('native', 'reencoded', 'rehash', 'none')),
  -- A hash made from the password at login, sealed with a key of the bridge; erased once ZITADEL has it
  -- or when it expires.
  pending_hash         text,
  pending_expires_at   timestamptz,
  -- Digest of the access token whose hook call last released a hash: the same call never gets one twice.
  released_token       text,
  failure_reason       text,
  attempts             integer     NOT NULL DEFAULT 0,
  logins               integer     NOT NULL DEFAULT 0,
  first_seen_at        timestamptz NOT NULL DEFAULT now(),
  last_login_at        timestamptz,
  migrated_at          timestamptz,
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX migration_ledger_state ON migration_ledger (state);
CREATE INDEX migration_ledger_pending ON migration_ledger (pending_expires_at) WHERE pending_hash IS NOT NULL;
