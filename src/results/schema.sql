-- The results store: what providers said happened to each call. One file per project
-- (default `.outdial/results.db` beside the campaign files), readable with `sqlite3`.
-- Every statement is idempotent: the store is opened by `listen`, `query` and `report` alike.

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- One row per recipient (call id + number), as the journal keys them.
CREATE TABLE IF NOT EXISTS calls (
  provider    TEXT NOT NULL,            -- voiceshot | voicent | voipcomm
  campaign    TEXT NOT NULL,            -- the campaign's `name`
  callid      TEXT NOT NULL,            -- the call id outdial sent (not a provider's own id)
  number      TEXT NOT NULL,            -- as the journal keys it ('' when the post did not say)
  status      TEXT NOT NULL,            -- the provider's own status word, verbatim
  outcome     TEXT NOT NULL
              CHECK (outcome IN ('reached', 'not-reached', 'pending', 'unknown', 'removed')),
  reason      TEXT,                     -- why not reached, in the provider's words
  duration    INTEGER,                  -- seconds on the line
  answered_by TEXT CHECK (answered_by IN ('human', 'machine')),
  attempts    INTEGER,
  called_at   TEXT,                     -- when the provider says the call took place, as it wrote it
  source      TEXT NOT NULL CHECK (source IN ('summary', 'callback', 'query', 'event')),
  recording   TEXT,                     -- a voicemail WAV, relative to the database's folder
  updated_at  TEXT NOT NULL,            -- when outdial stored this row (RFC 3339, UTC)
  PRIMARY KEY (provider, campaign, callid, number)
) STRICT;

-- The keys a recipient pressed at each prompt. A summary or query gives one row per prompt
-- (seq 0); Call Events give one row per keypress, numbered in the order they arrived.
CREATE TABLE IF NOT EXISTS keypresses (
  provider    TEXT NOT NULL,
  campaign    TEXT NOT NULL,
  callid      TEXT NOT NULL,
  number      TEXT NOT NULL,
  prompt      INTEGER NOT NULL,
  keys        TEXT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('summary', 'callback', 'query', 'event')),
  received_at TEXT NOT NULL,
  seq         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (provider, campaign, callid, number, prompt, source, seq)
) STRICT;

-- The answers an IVR application collected during a call (the Voicent Gateway's
-- `responses`), by name, as the provider wrote them.
CREATE TABLE IF NOT EXISTS responses (
  provider    TEXT NOT NULL,
  campaign    TEXT NOT NULL,
  callid      TEXT NOT NULL,
  number      TEXT NOT NULL,
  name        TEXT NOT NULL,
  value       TEXT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('summary', 'callback', 'query', 'event')),
  received_at TEXT NOT NULL,
  PRIMARY KEY (provider, campaign, callid, number, name, source)
) STRICT;

-- Every post accepted, by the SHA-256 of its route and body: a redelivery changes nothing.
CREATE TABLE IF NOT EXISTS posts (
  digest      TEXT PRIMARY KEY,
  route       TEXT NOT NULL,
  received_at TEXT NOT NULL
) STRICT;
