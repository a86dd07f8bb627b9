//! The sandbox's accepted calls, kept compact so that a demo of ten million calls fits on a
//! laptop.
//!
//! Each call's text (number, call id, caller ID, prompts: the TTS is often templated per
//! recipient, so it cannot be shared) is written once, as the JSON of its [`SandboxCall`], to
//! an unnamed temporary file; memory keeps a fixed-size [`Slot`] per call (48 bytes: what
//! changes, and where its text is) and an index from (campaign, call id) to calls. Outcomes are
//! not stored: they are a pure function of the seed, the call and its due time, and are worked
//! out when a call is read ([`sim::resolve`]), as the old eager settling did for every call
//! before every post.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;

use super::call::{CallStatus, SandboxCall};
use super::sim;

/// What memory keeps of one call.
#[derive(Clone, Copy, Debug)]
struct Slot {
    seq: u64,
    due_unix_ms: u64,
    /// Where the call's JSON starts in the text file, and its length.
    at: u64,
    len: u32,
    request: u32,
    /// Index into [`Calls::menuids`].
    menuid: u32,
    /// The call before it with the same (menuid, call id) hash, or `NONE`.
    prev: u32,
    status: CallStatus,
}

const NONE: u32 = u32::MAX;

/// Slots per block of [`Blocks`]: 3 MiB.
const BLOCK: usize = 1 << 16;

/// A vector that grows by whole blocks and never moves what it holds. A `Vec` of ten million
/// slots doubles up to 512 MiB, and each doubling holds the old array and the new one at once
/// (the allocator may keep the old one's pages a while after: jemalloc did, and a 10M-call
/// sandbox peaked at 1,054 MiB instead of 758 MiB).
#[derive(Debug, Default)]
struct Blocks {
    /// Full blocks, then the one being filled.
    blocks: Vec<Vec<Slot>>,
}

impl Blocks {
    fn len(&self) -> usize {
        self.blocks
            .last()
            .map_or(0, |last| (self.blocks.len() - 1) * BLOCK + last.len())
    }

    fn push(&mut self, slot: Slot) {
        match self.blocks.last_mut() {
            Some(last) if last.len() < BLOCK => last.push(slot),
            _ => {
                let mut block = Vec::with_capacity(BLOCK);
                block.push(slot);
                self.blocks.push(block);
            }
        }
    }
}

impl std::ops::Index<usize> for Blocks {
    type Output = Slot;

    fn index(&self, i: usize) -> &Slot {
        &self.blocks[i / BLOCK][i % BLOCK]
    }
}

impl std::ops::IndexMut<usize> for Blocks {
    fn index_mut(&mut self, i: usize) -> &mut Slot {
        &mut self.blocks[i / BLOCK][i % BLOCK]
    }
}

/// Shards of [`Calls::by_callid`]: each table doubles on its own, so a doubling holds a
/// 64th of the index twice, not all of it.
const SHARDS: usize = 64;

/// Every call the sandbox accepted, in acceptance order.
#[derive(Debug, Default)]
pub(crate) struct Calls {
    slots: Blocks,
    /// The calls' JSON, back to back; made with the first call.
    text: Option<File>,
    text_len: u64,
    menuids: Vec<String>,
    menuid_index: HashMap<String, u32>,
    /// The last call with each (menuid, call id) hash, in [`SHARDS`] tables by the hash's
    /// top bits; earlier ones chain through [`Slot::prev`].
    by_callid: Vec<HashMap<u64, u32>>,
}

/// FNV-1a of a campaign index and a call id: the key of [`Calls::by_callid`].
fn callid_key(menuid: u32, callid: &str) -> u64 {
    callid
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325 ^ u64::from(menuid), |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// Which of the [`SHARDS`] tables holds `key`.
fn shard_of(key: u64) -> usize {
    (key >> (64 - SHARDS.trailing_zeros())) as usize
}

impl Calls {
    /// The table of [`Calls::by_callid`] that holds `key`, made with the first call.
    fn shard_mut(&mut self, key: u64) -> &mut HashMap<u64, u32> {
        if self.by_callid.is_empty() {
            self.by_callid.resize_with(SHARDS, HashMap::new);
        }
        &mut self.by_callid[shard_of(key)]
    }

    /// How many calls were accepted.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Appends accepted calls (numbered, due time and status set).
    pub(crate) fn extend(&mut self, calls: &[SandboxCall]) -> io::Result<()> {
        let mut bytes = Vec::new();
        let mut spans = Vec::with_capacity(calls.len());
        for call in calls {
            let start = bytes.len();
            serde_json::to_writer(&mut bytes, call).map_err(io::Error::other)?;
            spans.push((self.text_len + start as u64, (bytes.len() - start) as u32));
        }
        let file = match &mut self.text {
            Some(file) => file,
            None => self.text.insert(tempfile::tempfile()?),
        };
        file.write_all(&bytes)?;
        self.text_len += bytes.len() as u64;
        for (call, (at, len)) in calls.iter().zip(spans) {
            let menuid = match self.menuid_index.get(&call.menuid) {
                Some(i) => *i,
                None => {
                    let i = self.menuids.len() as u32;
                    self.menuids.push(call.menuid.clone());
                    self.menuid_index.insert(call.menuid.clone(), i);
                    i
                }
            };
            let index = self.slots.len() as u32;
            let key = callid_key(menuid, &call.callid);
            let prev = self.shard_mut(key).insert(key, index).unwrap_or(NONE);
            self.slots.push(Slot {
                seq: call.seq,
                due_unix_ms: call.due_unix_ms,
                at,
                len,
                request: call.request,
                menuid,
                prev,
                status: call.status,
            });
        }
        Ok(())
    }

    /// Call `i` as accepted (or loaded), with its current status, request and due time;
    /// no outcome worked out.
    fn stored(&self, i: usize) -> io::Result<SandboxCall> {
        let slot = &self.slots[i];
        let mut bytes = vec![0; slot.len as usize];
        let file = self.text.as_ref().expect("calls have text");
        file.read_exact_at(&mut bytes, slot.at)?;
        let mut call: SandboxCall = serde_json::from_slice(&bytes).map_err(io::Error::other)?;
        call.seq = slot.seq;
        call.request = slot.request;
        call.due_unix_ms = slot.due_unix_ms;
        call.status = slot.status;
        Ok(call)
    }

    /// Call `i` as a query or a snapshot shows it at `now`: a pending call whose time has
    /// come has its outcome.
    pub(crate) fn view(
        &self,
        i: usize,
        seed: u64,
        success_rate: f64,
        now: u64,
    ) -> io::Result<SandboxCall> {
        let mut call = self.stored(i)?;
        sim::resolve(&mut call, seed, success_rate, now);
        Ok(call)
    }

    /// Whether call `i` is pending at `now` (accepted, not paused, not dialled yet).
    pub(crate) fn pending(&self, i: usize, now: u64) -> bool {
        let slot = &self.slots[i];
        slot.status == CallStatus::Pending && now < slot.due_unix_ms
    }

    /// Makes pending call `i` due at `now`: it rings at once (a test's stand-in for a call
    /// whose time came while a person edited the campaign).
    pub(crate) fn ring_at(&mut self, i: usize, now: u64) {
        let slot = &mut self.slots[i];
        if slot.status == CallStatus::Pending {
            slot.due_unix_ms = slot.due_unix_ms.min(now);
        }
    }

    /// Whether call `i` can still be paused or deleted at `now`.
    pub(crate) fn undialled(&self, i: usize, now: u64) -> bool {
        self.slots[i].status == CallStatus::Paused || self.pending(i, now)
    }

    /// The status of call `i` as stored (a pending call may have been dialled since).
    pub(crate) fn status(&self, i: usize) -> CallStatus {
        self.slots[i].status
    }

    /// Sets the status of call `i`.
    pub(crate) fn set_status(&mut self, i: usize, status: CallStatus) {
        self.slots[i].status = status;
    }

    /// Makes paused call `i` pending again, due `due_ms(its dateandtime)`.
    pub(crate) fn resume(
        &mut self,
        i: usize,
        due_ms: impl FnOnce(Option<&str>) -> u64,
    ) -> io::Result<()> {
        let call = self.stored(i)?;
        let slot = &mut self.slots[i];
        slot.status = CallStatus::Pending;
        slot.due_unix_ms = due_ms(call.dateandtime.as_deref());
        Ok(())
    }

    /// The calls of `menuid`, in acceptance order.
    pub(crate) fn of_menuid(&self, menuid: &str) -> Vec<usize> {
        let Some(m) = self.menuid_index.get(menuid) else {
            return Vec::new();
        };
        (0..self.slots.len())
            .filter(|i| self.slots[*i].menuid == *m)
            .collect()
    }

    /// The calls of `menuid` with one of `callids`, in acceptance order.
    pub(crate) fn with_callids(&self, menuid: &str, callids: &[&str]) -> io::Result<Vec<usize>> {
        let Some(m) = self.menuid_index.get(menuid).copied() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for callid in callids {
            let key = callid_key(m, callid);
            let mut next = self
                .by_callid
                .get(shard_of(key))
                .and_then(|table| table.get(&key))
                .copied()
                .unwrap_or(NONE);
            while next != NONE {
                let i = next as usize;
                // The key is a hash: the call's own id decides.
                if self.slots[i].menuid == m && self.stored(i)?.callid == *callid {
                    out.push(i);
                }
                next = self.slots[i].prev;
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_every_slot_across_block_boundaries() {
        let mut blocks = Blocks::default();
        let slot = |seq| Slot {
            seq,
            due_unix_ms: 0,
            at: 0,
            len: 0,
            request: 0,
            menuid: 0,
            prev: NONE,
            status: CallStatus::Pending,
        };
        let n = 2 * BLOCK + 3;
        for i in 0..n {
            blocks.push(slot(i as u64));
        }
        assert_eq!((blocks.len(), blocks.blocks.len()), (n, 3));
        assert!((0..n).all(|i| blocks[i].seq == i as u64));
        blocks[BLOCK].status = CallStatus::Paused;
        assert_eq!(blocks[BLOCK].status, CallStatus::Paused);
        assert_eq!(blocks[BLOCK - 1].status, CallStatus::Pending);
        // A block is allocated whole and never grows: no slot moves once pushed.
        assert!(blocks.blocks.iter().all(|b| b.capacity() == BLOCK));
    }

    fn call(seq: u64, menuid: &str, callid: &str, number: &str) -> SandboxCall {
        SandboxCall {
            seq,
            request: 1,
            menuid: menuid.into(),
            number: number.into(),
            callid: callid.into(),
            callerid: None,
            dateandtime: None,
            ext: None,
            prompts: Vec::new(),
            status: CallStatus::Pending,
            comment: String::new(),
            duration: None,
            dialled_at: None,
            keypresses: Vec::new(),
            due_unix_ms: 1_000,
        }
    }

    /// A slot stays 48 bytes: memory per call is what makes the 10M demo fit.
    #[test]
    fn a_call_costs_one_small_slot() {
        assert_eq!(std::mem::size_of::<Slot>(), 48);
    }

    #[test]
    fn calls_are_found_by_campaign_and_call_id_in_acceptance_order() {
        let mut calls = Calls::default();
        let batch: Vec<SandboxCall> = (0..2000)
            .map(|i| {
                call(
                    i,
                    ["1-1", "1-2"][i as usize % 2],
                    &format!("c{}", i % 700),
                    "8185550100",
                )
            })
            .collect();
        calls.extend(&batch[..1000]).unwrap();
        calls.extend(&batch[1000..]).unwrap();
        assert_eq!(calls.len(), 2000);
        let want: Vec<usize> = (0..2000)
            .filter(|i| i % 2 == 0 && [4, 6].contains(&(i % 700)))
            .collect();
        assert_eq!(
            calls.with_callids("1-1", &["c6", "c4", "nosuch"]).unwrap(),
            want
        );
        assert!(calls.with_callids("9-9", &["c4"]).unwrap().is_empty());
        assert_eq!(calls.of_menuid("1-2").len(), 1000);
        assert_eq!(calls.stored(1234).unwrap(), batch[1234]);
    }

    #[test]
    fn outcomes_are_worked_out_when_read_and_pauses_stop_them() {
        let mut calls = Calls::default();
        calls
            .extend(&[
                call(0, "1-1", "a", "8185550100"),
                call(1, "1-1", "b", "8185550101"),
            ])
            .unwrap();
        assert!(calls.pending(0, 999));
        assert_eq!(
            calls.view(0, 7, 1.0, 999).unwrap().status,
            CallStatus::Pending
        );
        assert!(!calls.pending(0, 1_000), "due: dialled");
        assert!(!calls.undialled(0, 1_000));
        let mut eager = call(0, "1-1", "a", "8185550100");
        sim::resolve(&mut eager, 7, 1.0, 1_000);
        assert_eq!(calls.view(0, 7, 1.0, 1_000).unwrap(), eager);
        calls.set_status(1, CallStatus::Paused);
        assert!(calls.undialled(1, 5_000));
        assert_eq!(
            calls.view(1, 7, 1.0, 5_000).unwrap().status,
            CallStatus::Paused
        );
        calls.resume(1, |_| 6_000).unwrap();
        assert!(calls.pending(1, 5_999));
        assert_eq!(
            calls.view(1, 7, 1.0, 6_000).unwrap().dialled_at,
            eager_time(6_000)
        );
    }

    fn eager_time(ms: u64) -> Option<String> {
        Some(sim::format_result_time(ms))
    }
}
