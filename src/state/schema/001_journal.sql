-- Version 1: the send journal, its locks' descriptions. Every table is prefixed `outdial_` so
-- the database may be shared with other software.

-- One row per campaign journal: the campaign identity is its provider, the place its posts go
-- (the first endpoint, without userinfo) and its name. `key` is SHA-256 of the three.
CREATE TABLE IF NOT EXISTS outdial_campaigns (
    key        text PRIMARY KEY,
    provider   text NOT NULL,
    endpoint   text NOT NULL,
    campaign   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The journal's records, each the exact JSON line the local journal would hold (its `prev`
-- hash included), numbered from 1 per campaign: record kinds this version does not know pass
-- through unchanged. `hash` is SHA-256 of `line`, which the next record's `prev` names.
CREATE TABLE IF NOT EXISTS outdial_journal (
    campaign_key text NOT NULL REFERENCES outdial_campaigns (key),
    seq          bigint NOT NULL CHECK (seq >= 1),
    line         text NOT NULL,
    hash         text NOT NULL,
    written_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_key, seq)
);

-- Who holds a campaign's send lock. The advisory lock is the truth; this row only describes
-- its holder, so a second runner can say who it is waiting for.
CREATE TABLE IF NOT EXISTS outdial_locks (
    campaign_key text PRIMARY KEY,
    host         text NOT NULL,
    pid          bigint NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now()
);
