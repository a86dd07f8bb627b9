-- The results store in PostgreSQL, as the local results.db keeps it (src/results/schema.sql):
-- what providers said happened to each call, written by every `listen` replica and read by
-- `report` from any folder. Timestamps are RFC 3339 text, as in the local store, so a row
-- reads the same from either. Versioned apart from the journal's tables (outdial_meta key
-- `results_schema_version`); every statement is idempotent.

-- One row per recipient (call id + number).
CREATE TABLE IF NOT EXISTS outdial_calls (
    provider    text NOT NULL,
    campaign    text NOT NULL,
    callid      text NOT NULL,
    number      text NOT NULL,
    status      text NOT NULL,
    outcome     text NOT NULL
                CHECK (outcome IN ('reached', 'not-reached', 'pending', 'unknown', 'removed')),
    reason      text,
    duration    bigint,
    answered_by text CHECK (answered_by IN ('human', 'machine')),
    attempts    bigint,
    called_at   text,
    source      text NOT NULL CHECK (source IN ('summary', 'callback', 'query', 'event')),
    recording   text,
    updated_at  text NOT NULL,
    PRIMARY KEY (provider, campaign, callid, number)
);

-- The keys pressed at each prompt: one row per prompt and source (seq 0), or one per Call
-- Event keypress, numbered in arrival order.
CREATE TABLE IF NOT EXISTS outdial_keypresses (
    provider    text NOT NULL,
    campaign    text NOT NULL,
    callid      text NOT NULL,
    number      text NOT NULL,
    prompt      bigint NOT NULL,
    keys        text NOT NULL,
    source      text NOT NULL CHECK (source IN ('summary', 'callback', 'query', 'event')),
    received_at text NOT NULL,
    seq         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (provider, campaign, callid, number, prompt, source, seq)
);

-- The answers an IVR application collected, by name.
CREATE TABLE IF NOT EXISTS outdial_responses (
    provider    text NOT NULL,
    campaign    text NOT NULL,
    callid      text NOT NULL,
    number      text NOT NULL,
    name        text NOT NULL,
    value       text NOT NULL,
    source      text NOT NULL CHECK (source IN ('summary', 'callback', 'query', 'event')),
    received_at text NOT NULL,
    PRIMARY KEY (provider, campaign, callid, number, name, source)
);

-- Every post accepted, by the SHA-256 of its route and body: the primary key is what makes
-- a redelivery (to this replica or another) change nothing.
CREATE TABLE IF NOT EXISTS outdial_posts (
    digest      text PRIMARY KEY,
    route       text NOT NULL,
    received_at text NOT NULL
);

-- Every post that named a known call, in order of arrival, with what became of it.
CREATE TABLE IF NOT EXISTS outdial_history (
    id          bigserial PRIMARY KEY,
    digest      text NOT NULL,
    provider    text NOT NULL,
    campaign    text NOT NULL,
    callid      text NOT NULL,
    number      text NOT NULL,
    status      text NOT NULL,
    outcome     text NOT NULL,
    verdict     text NOT NULL CHECK (verdict IN ('stored', 'repeat', 'conflict', 'lesser')),
    body        bytea,
    received_at text NOT NULL
);
CREATE INDEX IF NOT EXISTS outdial_history_call
    ON outdial_history (provider, campaign, callid, number);

-- Posts that named no call of a campaign the listener served.
CREATE TABLE IF NOT EXISTS outdial_unmatched (
    id          bigserial UNIQUE,
    digest      text PRIMARY KEY,
    route       text NOT NULL,
    provider    text NOT NULL,
    callid      text NOT NULL,
    number      text NOT NULL,
    why         text NOT NULL,
    body        bytea NOT NULL,
    received_at text NOT NULL
);
