//! A campaign's journal in PostgreSQL: the same records the local file holds, one row each,
//! and the advisory lock that lets one runner at a time send the campaign.
//!
//! A campaign is identified by its provider, the place its posts go (the first endpoint,
//! without userinfo: credentials do not change where calls go) and its name; two folders
//! that send the same campaign to the same place share one journal. Each record is stored
//! as the exact line the local journal would hold (its `prev` hash included), so the chain
//! is checked on read as for a file, and record kinds this version does not know pass
//! through unchanged.

use postgres::Client;

use super::{PgLocation, StateError};
use crate::digest::sha256_hex;
use crate::provider::name::ProviderName;

/// Which campaign journal: provider, place and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignId {
    /// The provider.
    pub provider: ProviderName,
    /// The first endpoint, its userinfo masked.
    pub endpoint: String,
    /// The campaign's name.
    pub campaign: String,
}

impl CampaignId {
    /// The id of `campaign` sent to `provider` at `endpoint` (userinfo is dropped).
    pub fn new(provider: ProviderName, endpoint: &str, campaign: &str) -> CampaignId {
        CampaignId {
            provider,
            endpoint: crate::secret::redact_userinfo(endpoint).into_owned(),
            campaign: campaign.to_owned(),
        }
    }

    /// The row key: SHA-256 of provider, endpoint and name, each on its own line.
    pub fn key(&self) -> String {
        sha256_hex(
            format!(
                "{}\n{}\n{}",
                self.provider.key(),
                self.endpoint,
                self.campaign
            )
            .as_bytes(),
        )
    }

    /// The advisory lock's number: the key's first 8 bytes.
    fn lock_number(&self) -> i64 {
        let key = self.key();
        i64::from_str_radix(&key[..15], 16).unwrap_or_default()
    }
}

/// Who holds a campaign's send lock, as its row describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// Host name.
    pub host: String,
    /// Process id.
    pub pid: i64,
    /// Since when (RFC 3339).
    pub since: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "host {}, pid {}, since {}",
            self.host, self.pid, self.since
        )
    }
}

/// A campaign's journal in the database, locked for this process while it lives (the
/// session-level advisory lock is held on its connection; the database releases it when
/// the connection ends, however the process ends).
pub struct StoreJournal {
    client: Client,
    at: PgLocation,
    key: String,
    lock: i64,
}

impl StoreJournal {
    /// The database and the campaign's key.
    pub(crate) fn at_key(&self) -> (&PgLocation, &str) {
        (&self.at, &self.key)
    }
}

impl std::fmt::Debug for StoreJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreJournal({}, {})", self.at, self.key)
    }
}

/// Why a campaign's journal in the database cannot be opened.
#[derive(Debug)]
pub enum OpenError {
    /// Another runner holds the campaign's lock (described by its row, when it wrote one).
    Busy(Option<Holder>),
    /// The store failed.
    Store(StateError),
}

impl From<StateError> for OpenError {
    fn from(e: StateError) -> Self {
        OpenError::Store(e)
    }
}

/// The description of whoever holds `key`'s lock now. The winner writes its row just after
/// taking the lock, so a runner that lost the race may look before it is there, or see the row
/// of a runner long dead: it waits up to a second for a row whose server process holds an
/// advisory lock, and says nothing rather than name the wrong runner.
fn lock_holder(
    client: &mut postgres::Client,
    key: &str,
) -> Result<Option<Holder>, postgres::Error> {
    for _ in 0..20 {
        let row = client.query_opt(
            "SELECT host, pid, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
             FROM outdial_locks l
             WHERE campaign_key = $1 AND EXISTS (
                 SELECT 1 FROM pg_locks k
                 WHERE k.pid = l.backend_pid AND k.locktype = 'advisory' AND k.granted)",
            &[&key],
        )?;
        if let Some(row) = row {
            return Ok(Some(Holder {
                host: row.get(0),
                pid: row.get(1),
                since: row.get(2),
            }));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Ok(None)
}

impl StoreJournal {
    /// Connects, takes the campaign's lock (refusing at once if another runner has it) and
    /// records who holds it; the campaign's row is made if it is new.
    pub fn open(at: &PgLocation, id: &CampaignId) -> Result<StoreJournal, OpenError> {
        let mut client = at.connect()?;
        let err = |e: postgres::Error| OpenError::Store(at.query_error(&e));
        let key = id.key();
        let lock = id.lock_number();
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&lock])
            .map_err(err)?
            .get(0);
        if !got {
            let holder = lock_holder(&mut client, &key).map_err(err)?;
            return Err(OpenError::Busy(holder));
        }
        client
            .execute(
                "INSERT INTO outdial_campaigns (key, provider, endpoint, campaign)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
                &[&key, &id.provider.key(), &id.endpoint, &id.campaign],
            )
            .map_err(err)?;
        client
            .execute(
                "INSERT INTO outdial_locks (campaign_key, host, pid, backend_pid, started_at)
                 VALUES ($1, $2, $3, pg_backend_pid(), now())
                 ON CONFLICT (campaign_key) DO UPDATE
                 SET host = excluded.host, pid = excluded.pid,
                     backend_pid = excluded.backend_pid, started_at = now()",
                &[&key, &host_name(), &i64::from(std::process::id())],
            )
            .map_err(err)?;
        Ok(StoreJournal {
            client,
            at: at.clone(),
            key,
            lock,
        })
    }

    /// Every record's line, in order, each followed by a line break: the bytes the local
    /// journal would hold.
    pub fn read(&mut self) -> Result<Vec<u8>, StateError> {
        read_lines(&mut self.client, &self.at, &self.key)
    }

    /// Appends record `seq` (1-based, the next one): committed when this returns, so the
    /// record survives whatever happens next. A row already at `seq` (a second writer) is an
    /// error, never an overwrite.
    pub fn append(&mut self, seq: i64, line: &[u8], hash: &str) -> Result<(), StateError> {
        let line = std::str::from_utf8(line).map_err(|e| StateError::Query {
            shown: self.at.shown(),
            why: e.to_string(),
        })?;
        self.client
            .execute(
                "INSERT INTO outdial_journal (campaign_key, seq, line, hash) VALUES ($1, $2, $3, $4)",
                &[&self.key, &seq, &line, &hash],
            )
            .map(|_| ())
            .map_err(|e| self.at.query_error(&e))
    }
}

impl Drop for StoreJournal {
    fn drop(&mut self) {
        // Best effort: a lost connection releases the lock anyway, and a stale row only
        // describes a holder that no longer holds the lock.
        let _ = self.client.execute(
            "DELETE FROM outdial_locks WHERE campaign_key = $1 AND pid = $2 AND host = $3",
            &[&self.key, &i64::from(std::process::id()), &host_name()],
        );
        let _ = self
            .client
            .execute("SELECT pg_advisory_unlock($1)", &[&self.lock]);
    }
}

/// The lines of campaign `key`'s journal, in order (a row removed by hand breaks the chain of
/// hashes, which the replay reports).
fn read_lines(client: &mut Client, at: &PgLocation, key: &str) -> Result<Vec<u8>, StateError> {
    let rows = client
        .query(
            "SELECT seq, line FROM outdial_journal WHERE campaign_key = $1 ORDER BY seq",
            &[&key],
        )
        .map_err(|e| at.query_error(&e))?;
    let mut bytes = Vec::new();
    for row in &rows {
        let line: &str = row.get(1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    Ok(bytes)
}

/// The journal of `id` as the local file would hold it, read without locking (for `plan`,
/// `report`, dry runs); empty when the database has none.
pub fn read(at: &PgLocation, id: &CampaignId) -> Result<Vec<u8>, StateError> {
    read_key(at, &id.key())
}

/// [`read`] by the campaign's key ([`CampaignId::key`]).
pub fn read_key(at: &PgLocation, key: &str) -> Result<Vec<u8>, StateError> {
    let mut client = at.connect()?;
    read_lines(&mut client, at, key)
}

/// Every campaign journal in the database but those of campaigns named `except` (whatever
/// their provider or endpoint, as the local backend leaves out `.outdial/<except>.jsonl`),
/// each as its lines: what `max_calls` counts across campaigns.
pub fn others(at: &PgLocation, except: &str) -> Result<Vec<Vec<u8>>, StateError> {
    let mut client = at.connect()?;
    let rows = client
        .query(
            "SELECT j.campaign_key, j.line FROM outdial_journal j
             JOIN outdial_campaigns c ON c.key = j.campaign_key
             WHERE c.campaign <> $1
             ORDER BY j.campaign_key, j.seq",
            &[&except],
        )
        .map_err(|e| at.query_error(&e))?;
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut last: Option<String> = None;
    for row in rows {
        let key: String = row.get(0);
        let line: &str = row.get(1);
        if last.as_deref() != Some(&key) {
            out.push(Vec::new());
            last = Some(key);
        }
        if let Some(bytes) = out.last_mut() {
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
    }
    Ok(out)
}

/// Every journal of `campaign` at `provider`, whatever its endpoint, with its id: what
/// `listen` matches posts against.
pub fn of_campaign(
    at: &PgLocation,
    provider: ProviderName,
    campaign: &str,
) -> Result<Vec<(CampaignId, Vec<u8>)>, StateError> {
    let mut client = at.connect()?;
    let rows = client
        .query(
            "SELECT key, endpoint FROM outdial_campaigns WHERE provider = $1 AND campaign = $2
             ORDER BY key",
            &[&provider.key(), &campaign],
        )
        .map_err(|e| at.query_error(&e))?;
    let mut out = Vec::new();
    for row in rows {
        let key: String = row.get(0);
        let id = CampaignId::new(provider, row.get(1), campaign);
        out.push((id, read_lines(&mut client, at, &key)?));
    }
    Ok(out)
}

/// This machine's name, for the lock's row.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}
