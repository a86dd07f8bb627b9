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

-- Every post that named a known call, in order of arrival, with what it said and what became
-- of it: `stored` (it is the call's row now), `repeat` (it said what the row says),
-- `conflict` (it said otherwise about a call whose final outcome was stored before; the row
-- kept the first word) or `lesser` (a weaker word than the row's, e.g. pending after
-- reached). `body` keeps the raw post where the mapping depends on vocabulary outdial chose
-- (voip-communications callbacks).
CREATE TABLE IF NOT EXISTS history (
  digest      TEXT NOT NULL,            -- posts.digest
  provider    TEXT NOT NULL,
  campaign    TEXT NOT NULL,
  callid      TEXT NOT NULL,
  number      TEXT NOT NULL,
  status      TEXT NOT NULL,
  outcome     TEXT NOT NULL,
  verdict     TEXT NOT NULL CHECK (verdict IN ('stored', 'repeat', 'conflict', 'lesser')),
  body        BLOB,
  received_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS history_call ON history (provider, campaign, callid, number);

-- Posts `listen` could read but not file under a call of a campaign it serves (an unknown
-- call id, a number the journal does not have for it, a VoiceShot Test post): kept whole,
-- answered 200, shown by `report --unmatched`.
CREATE TABLE IF NOT EXISTS unmatched (
  digest      TEXT PRIMARY KEY,         -- posts.digest
  route       TEXT NOT NULL,
  provider    TEXT NOT NULL,
  callid      TEXT NOT NULL,            -- the call id the post named ('' when none)
  number      TEXT NOT NULL,            -- the number the post named ('' when none)
  why         TEXT NOT NULL,
  body        BLOB NOT NULL,
  received_at TEXT NOT NULL
) STRICT;
