//! Filing what `listen` receives: each post once (by its digest), its call row only where it
//! does not replace a better word already stored, every post that named a call in `history`,
//! and the posts that named no call `listen` knows in `unmatched`.
//!
//! The precedence (written down for users in docs/guide/listen.md):
//! 1. The same post again (route and body byte for byte) changes nothing.
//! 2. Words rank pending < unknown < final (reached, not reached).
//! 3. A post replaces the row when it says more than the row (a higher rank), when the row
//!    came from a query (a snapshot, not the provider's own report) and the post ranks no
//!    lower, or when both are pending or unknown (the later word).
//! 4. A post that says what the row says is a `repeat`; a lesser word than the row's is
//!    `lesser`; another final word about a call whose final word came in a post is a
//!    `conflict`: the first final word stays. All three are kept in `history` and counted.

use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::columns::{CALL_COLUMNS, keypress_insert};
use super::error::StoreError;
use super::store::Store;
use crate::outcome::{CallRecord, Keypress, Outcome, Source};

/// One post as received.
#[derive(Debug, Clone, Copy)]
pub struct Post<'a> {
    /// The route it came on (without a token).
    pub route: &'a str,
    /// The body, byte for byte.
    pub body: &'a [u8],
    /// Keep the raw body beside the row (where the reading rests on outdial's own choice of
    /// vocabulary).
    pub keep_body: bool,
}

impl Post<'_> {
    /// The SHA-256 of route and body, hex: what recognises a redelivery.
    pub(super) fn digest(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.route.as_bytes());
        hash.update([0]);
        hash.update(self.body);
        format!("{:x}", hash.finalize())
    }
}

/// What became of a post's call row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It is the call's row now.
    Stored,
    /// It said what the stored row says.
    Repeat,
    /// A weaker word than the stored row's; the row stays.
    Lesser,
    /// Another final word about a call whose final word was stored before; the row stays.
    Conflict,
}

impl Verdict {
    /// The word stored in `history.verdict`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Stored => "stored",
            Verdict::Repeat => "repeat",
            Verdict::Lesser => "lesser",
            Verdict::Conflict => "conflict",
        }
    }
}

/// What filing a post did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filed {
    /// `false`: the same post was filed before; nothing changed.
    pub fresh: bool,
    /// What became of its (first) call row; `None` when it carried none (a Call Event).
    pub verdict: Option<Verdict>,
}

/// A post `listen` could read but not file under a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    /// The route it came on.
    pub route: String,
    /// `voiceshot` or `voipcomm`.
    pub provider: String,
    /// The call id it named ('' when none).
    pub callid: String,
    /// The number it named ('' when none).
    pub number: String,
    /// Why it matched no call.
    pub why: String,
    /// The body, as received.
    pub body: Vec<u8>,
    /// When it was stored (RFC 3339, UTC).
    pub received_at: String,
}

/// How much a word says: pending < unknown or removed (a query's "no longer held") < final.
pub(super) fn rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Pending => 0,
        Outcome::Unknown | Outcome::Removed => 1,
        Outcome::Reached | Outcome::NotReached => 2,
    }
}

/// What a post's row does to the stored one (module comment, rules 2–4).
pub(super) fn verdict(stored: Option<(&str, Outcome, Source)>, new: &CallRecord) -> Verdict {
    let Some((status, outcome, source)) = stored else {
        return Verdict::Stored;
    };
    let same = status == new.status && outcome == new.outcome;
    let (old, now) = (rank(outcome), rank(new.outcome));
    if same && source != Source::Query {
        Verdict::Repeat
    } else if now > old || (source == Source::Query && now == old) || (now == old && old < 2) {
        Verdict::Stored
    } else if now < old {
        Verdict::Lesser
    } else {
        Verdict::Conflict
    }
}

impl Store {
    /// Stores what one post (or rows from elsewhere) said, in one transaction: [`Store::file`]
    /// without keeping the body. `false`: the same post was stored before; nothing changed.
    pub fn record(
        &mut self,
        post: Option<(&str, &[u8])>,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<bool, StoreError> {
        let post = post.map(|(route, body)| Post {
            route,
            body,
            keep_body: false,
        });
        self.file(post, calls, keys).map(|filed| filed.fresh)
    }

    /// Files one post (or, without `post`, rows from elsewhere) in one transaction, by the
    /// precedence in this module's comment. Keypresses go in unless the call's row was kept
    /// over the post's (a lesser or conflicting post).
    pub fn file(
        &mut self,
        post: Option<Post<'_>>,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<Filed, StoreError> {
        let now = jiff::Timestamp::now().to_string();
        let path = self.path().to_path_buf();
        let tx = self
            .conn
            .transaction()
            .map_err(|source| StoreError::Sqlite { path, source })?;
        let result = (|| -> rusqlite::Result<Filed> {
            let digest = post.map(|p| p.digest());
            if let (Some(post), Some(digest)) = (post, &digest) {
                let fresh = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO posts (digest, route, received_at) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![digest, post.route, now])?;
                if fresh == 0 {
                    return Ok(Filed {
                        fresh: false,
                        verdict: None,
                    });
                }
            }
            let mut first = None;
            let mut kept_over = false;
            for call in calls {
                let v = file_call(&tx, call, &now)?;
                if let (Some(post), Some(digest)) = (post, &digest) {
                    let body = post.keep_body.then_some(post.body);
                    tx.prepare_cached(
                        "INSERT INTO history (digest, provider, campaign, callid, number, status, \
                         outcome, verdict, body, received_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    )?
                    .execute(params![
                        digest,
                        call.provider,
                        call.campaign,
                        call.callid,
                        call.number,
                        call.status,
                        call.outcome,
                        v.as_str(),
                        body,
                        now
                    ])?;
                }
                kept_over |= matches!(v, Verdict::Lesser | Verdict::Conflict);
                first.get_or_insert(v);
            }
            if !kept_over {
                for key in keys {
                    tx.prepare_cached(&keypress_insert(key.source))?
                        .execute(&key.values(&key.source, &now)[..])?;
                }
            }
            Ok(Filed {
                fresh: true,
                verdict: first,
            })
        })();
        // On an error the transaction is dropped, which rolls it back.
        let committed = result.and_then(|filed| tx.commit().map(|()| filed));
        committed.map_err(|e| self.fail(e))
    }

    /// Keeps a post that named no call `listen` knows; `false` when it was kept before.
    pub fn file_unmatched(&mut self, u: &Unmatched) -> Result<bool, StoreError> {
        let digest = Post {
            route: &u.route,
            body: &u.body,
            keep_body: true,
        }
        .digest();
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO unmatched (digest, route, provider, callid, number, why, \
                 body, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    digest,
                    u.route,
                    u.provider,
                    u.callid,
                    u.number,
                    u.why,
                    u.body,
                    u.received_at
                ])
            })
            .map(|n| n > 0)
            .map_err(|e| self.fail(e))
    }

    /// The unmatched posts of `provider`, oldest first.
    pub fn unmatched(&self, provider: &str) -> Result<Vec<Unmatched>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT route, provider, callid, number, why, body, received_at FROM unmatched \
                 WHERE provider = ?1 ORDER BY received_at, rowid",
            )
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map([provider], |row| {
                Ok(Unmatched {
                    route: row.get(0)?,
                    provider: row.get(1)?,
                    callid: row.get(2)?,
                    number: row.get(3)?,
                    why: row.get(4)?,
                    body: row.get(5)?,
                    received_at: row.get(6)?,
                })
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    /// How many unmatched posts of `provider` are kept.
    pub fn unmatched_count(&self, provider: &str) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM unmatched WHERE provider = ?1",
                [provider],
                |row| row.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.fail(e))
    }

    /// Posts of one campaign that were kept in history over a stored row: (lesser,
    /// conflicting).
    pub fn overruled(&self, provider: &str, campaign: &str) -> Result<(u64, u64), StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FILTER (WHERE verdict = 'lesser'), \
                 count(*) FILTER (WHERE verdict = 'conflict') FROM history \
                 WHERE provider = ?1 AND campaign = ?2",
                params![provider, campaign],
                |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
            )
            .map_err(|e| self.fail(e))
    }
}

/// Writes `call`'s row where the precedence lets it; says what became of it.
fn file_call(tx: &Transaction<'_>, call: &CallRecord, now: &String) -> rusqlite::Result<Verdict> {
    let stored: Option<(String, String, String)> = tx
        .prepare_cached(
            "SELECT status, outcome, source FROM calls \
             WHERE provider = ?1 AND campaign = ?2 AND callid = ?3 AND number = ?4",
        )?
        .query_row(
            params![call.provider, call.campaign, call.callid, call.number],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let stored = stored.as_ref().map(|(status, outcome, source)| {
        (
            status.as_str(),
            Outcome::parse(outcome).unwrap_or(Outcome::Pending),
            Source::parse(source).unwrap_or(Source::Query),
        )
    });
    let v = verdict(stored, call);
    if v == Verdict::Stored {
        tx.prepare_cached(&format!("INSERT OR REPLACE INTO calls {CALL_COLUMNS}"))?
            .execute(&call.values(now)[..])?;
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(status: &str, outcome: Outcome, source: Source) -> CallRecord {
        CallRecord {
            provider: "voiceshot".into(),
            campaign: "c".into(),
            callid: "c-1".into(),
            number: "2025550143".into(),
            status: status.into(),
            outcome,
            reason: None,
            duration: None,
            answered_by: None,
            attempts: None,
            called_at: None,
            source,
            recording: None,
        }
    }

    fn post(body: &[u8]) -> Option<Post<'_>> {
        Some(Post {
            route: "/voiceshot/summary",
            body,
            keep_body: false,
        })
    }

    #[test]
    fn a_final_word_is_never_replaced_by_a_lesser_or_conflicting_post() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let no_answer = call("Unsuccessful", Outcome::NotReached, Source::Summary);
        let filed = store
            .file(post(b"1"), std::slice::from_ref(&no_answer), &[])
            .unwrap();
        assert_eq!(filed.verdict, Some(Verdict::Stored));
        let steps = [
            (
                &b"2"[..],
                call("", Outcome::Pending, Source::Summary),
                Verdict::Lesser,
            ),
            (
                b"3",
                call("Odd", Outcome::Unknown, Source::Summary),
                Verdict::Lesser,
            ),
            (
                b"4",
                call("Successful", Outcome::Reached, Source::Summary),
                Verdict::Conflict,
            ),
            (
                b"5",
                call("Unsuccessful", Outcome::NotReached, Source::Summary),
                Verdict::Repeat,
            ),
        ];
        for (body, row, want) in steps {
            let filed = store.file(post(body), &[row], &[]).unwrap();
            assert_eq!(
                filed,
                Filed {
                    fresh: true,
                    verdict: Some(want)
                }
            );
        }
        assert_eq!(store.calls("voiceshot", "c").unwrap(), vec![no_answer]);
        assert_eq!(store.overruled("voiceshot", "c").unwrap(), (2, 1));
        // The same body again is a redelivery, not history.
        let again = store
            .file(
                post(b"4"),
                &[call("Successful", Outcome::Reached, Source::Summary)],
                &[],
            )
            .unwrap();
        assert!(!again.fresh);
        assert_eq!(store.overruled("voiceshot", "c").unwrap(), (2, 1));
    }

    #[test]
    fn a_post_says_more_than_a_query_or_a_pending_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let file = |store: &mut Store, body: &[u8], row: CallRecord| {
            store.file(post(body), &[row], &[]).unwrap().verdict
        };
        let pending = call("Pending", Outcome::Pending, Source::Query);
        assert_eq!(file(&mut store, b"1", pending), Some(Verdict::Stored));
        let odd = call("Odd", Outcome::Unknown, Source::Summary);
        assert_eq!(file(&mut store, b"2", odd), Some(Verdict::Stored));
        let odder = call("Odder", Outcome::Unknown, Source::Summary);
        assert_eq!(file(&mut store, b"3", odder), Some(Verdict::Stored));
        let reached = call("Successful", Outcome::Reached, Source::Summary);
        assert_eq!(
            file(&mut store, b"4", reached.clone()),
            Some(Verdict::Stored)
        );
        assert_eq!(store.calls("voiceshot", "c").unwrap(), vec![reached]);
        // A query's final word gives way to a post's.
        let mut other = call("Unsuccessful", Outcome::NotReached, Source::Query);
        other.callid = "c-2".into();
        assert_eq!(file(&mut store, b"5", other.clone()), Some(Verdict::Stored));
        other.source = Source::Summary;
        other.status = "Successful".into();
        other.outcome = Outcome::Reached;
        assert_eq!(file(&mut store, b"6", other), Some(Verdict::Stored));
    }

    #[test]
    fn unmatched_posts_are_kept_once_and_listed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let u = Unmatched {
            route: "/voipcomm/callback".into(),
            provider: "voipcomm".into(),
            callid: "x".into(),
            number: "2".into(),
            why: "no call".into(),
            body: b"callid=x".to_vec(),
            received_at: "2026-12-05T00:00:00Z".into(),
        };
        assert!(store.file_unmatched(&u).unwrap());
        assert!(!store.file_unmatched(&u).unwrap());
        assert_eq!(store.unmatched("voipcomm").unwrap(), vec![u]);
        assert_eq!(store.unmatched_count("voipcomm").unwrap(), 1);
        assert!(store.unmatched("voiceshot").unwrap().is_empty());
    }
}
