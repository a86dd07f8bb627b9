//! Calling rules that protect the people called: calling hours and quiet days judged in each
//! recipient's own local time, and what an immediate call outside them does (an error, or
//! deferred to the next opening).
//!
//! Where a number rings comes from the zone table first (its prefix's zones, for every
//! country). A recipient's own `timezone` narrows a prefix that spans several zones to the one
//! it names, and places a number the table cannot; one that contradicts the table is
//! overruled by it (the number's prefix is a fact, a column may be stale). A number placed by
//! neither is judged in the campaign's zone.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

use super::window::Window;
use crate::campaign::model::Zone;
use crate::phone::PhoneNumber;
use crate::zones;

/// How far ahead a deferred call looks for an opening.
const LOOKAHEAD_DAYS: i32 = 15;

/// `quiet_days`: weekdays and dates on which no call rings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuietDays {
    /// Bit `n` = weekday `n` (Monday = 0).
    weekdays: u8,
    dates: Vec<Date>,
}

impl QuietDays {
    /// Adds "sat", "saturday", or a date "2026-12-25"; `false` if the text is neither.
    pub fn add(&mut self, text: &str) -> bool {
        let lower = text.trim().to_ascii_lowercase();
        let days = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        if lower.len() >= 3
            && let Some(i) = days.iter().position(|d| d.starts_with(&lower))
        {
            self.weekdays |= 1 << i;
            return true;
        }
        match lower.parse::<Date>() {
            Ok(date) => {
                self.dates.push(date);
                true
            }
            Err(_) => false,
        }
    }

    /// Whether no day is quiet.
    pub fn is_empty(&self) -> bool {
        self.weekdays == 0 && self.dates.is_empty()
    }

    /// Whether a local date is quiet.
    pub fn contains(&self, date: Date) -> bool {
        let bit = 1 << date.weekday().to_monday_zero_offset();
        self.weekdays & bit != 0 || self.dates.contains(&date)
    }
}

/// Which rule keeps a call from ringing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// Outside the calling hours.
    Window,
    /// On a quiet day.
    QuietDay,
}

/// The verdict on one call.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Verdict {
    /// It rings when asked.
    Open,
    /// It would ring while closed; `immediate`: it was to ring now, and is not deferred.
    Closed { rule: Closed, immediate: bool },
    /// An immediate call moved to the next opening.
    Deferred(Zoned),
}

/// The calling rules of a campaign, shared by both passes over the recipients.
#[derive(Debug)]
pub struct CallingRules {
    pub(super) window: Option<Window>,
    pub(super) quiet: QuietDays,
    pub(super) defer: bool,
    /// What "now" is for immediate calls.
    pub(super) now: Timestamp,
    /// `[recipients] at`, when calls without their own time are scheduled.
    pub(super) default_at: Option<Zoned>,
    /// The campaign's zone: for numbers the table cannot place, and the zone deferred times
    /// are written in. Without one (only with the protective hours: a written window needs
    /// it), such numbers are not judged, and times are written in UTC.
    pub(super) zone: Option<Zone>,
    /// Zones named by recipients (`timezone`), after the table's groups and the campaign's.
    named: Mutex<Vec<(String, TimeZone)>>,
    /// What a recipient's zone name makes of each table group it was given with (see
    /// [`CallingRules::group`]): the same for every row with that name and prefix.
    placements: Mutex<HashMap<String, Vec<(u16, Placed)>>>,
    /// Verdicts on calls without their own time, by zone group: the same for every such call.
    /// The table's groups and the fallback one are asked for every row of a contact list,
    /// so they are kept without a lock (a locked map was 4.4% of a 1M-row `check`, perf);
    /// groups named by recipients are few and kept in `named_shared`.
    shared: Vec<OnceLock<Verdict>>,
    named_shared: Mutex<HashMap<u16, Verdict>>,
}

impl CallingRules {
    pub(super) fn new(
        window: Option<Window>,
        quiet: QuietDays,
        defer: bool,
        now: Timestamp,
        default_at: Option<Zoned>,
        zone: Option<Zone>,
    ) -> Self {
        // Without a rule nothing is judged, and the zone table need not be read.
        let shared = if window.is_some() || !quiet.is_empty() {
            (0..=zones::table().groups())
                .map(|_| OnceLock::new())
                .collect()
        } else {
            Vec::new()
        };
        Self {
            window,
            quiet,
            defer,
            now,
            default_at,
            zone,
            named: Mutex::new(Vec::new()),
            placements: Mutex::new(HashMap::new()),
            shared,
            named_shared: Mutex::new(HashMap::new()),
        }
    }

    /// Whether any rule is set (else every call is open and no zone is looked up).
    pub(super) fn active(&self) -> bool {
        self.window.is_some() || !self.quiet.is_empty()
    }

    /// The zone group of a recipient, and whether its own `timezone` was overruled: the
    /// table's zones for its number; of those, the one its own `timezone` names (an IANA name;
    /// `Err` if unknown) when the prefix spans several; its own `timezone` when the table
    /// cannot place it; else the campaign's ([`CallingRules::fallback`]).
    pub(super) fn group(
        &self,
        number: &PhoneNumber,
        timezone: Option<&str>,
    ) -> Result<(u16, Placed), ()> {
        let table = zones::table();
        let placed = table.group_of_number(number);
        match timezone.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok((placed.unwrap_or(table.groups() as u16), Placed::Table)),
            Some(name) => self.group_named(placed, name),
        }
    }

    /// [`CallingRules::group`] for a recipient that names its own zone; `placed`: the
    /// table's group for its number.
    fn group_named(&self, placed: Option<u16>, name: &str) -> Result<(u16, Placed), ()> {
        let table = zones::table();
        let Some(group) = placed else {
            return Ok((self.named(name)?, Placed::Own));
        };
        let mut placements = self.placements.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&(_, known)) = placements
            .get(name)
            .and_then(|seen| seen.iter().find(|(g, _)| *g == group))
        {
            return Ok((known.group(group), known));
        }
        let own = self.named(name)?;
        let tz = self.named_tz(own);
        let zones = table.group(group).zones();
        let placed = match zones
            .iter()
            .find(|(n, z)| n == name || same_clock(z, &tz, self.now))
        {
            Some(_) if zones.len() == 1 => Placed::Table,
            Some(_) => Placed::Narrowed(own),
            None => Placed::Overruled,
        };
        placements
            .entry(name.to_owned())
            .or_default()
            .push((group, placed));
        Ok((placed.group(group), placed))
    }

    /// The group of a zone named by a recipient (`Err` if the name is not a zone).
    fn named(&self, name: &str) -> Result<u16, ()> {
        let base = zones::table().groups() as u16 + 1;
        let mut named = self.named.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = named.iter().position(|(n, _)| n == name) {
            return Ok(base + i as u16);
        }
        let tz = TimeZone::get(name).map_err(|_| ())?;
        named.push((name.to_string(), tz));
        Ok(base + named.len() as u16 - 1)
    }

    /// The zone of a group made by [`CallingRules::named`].
    fn named_tz(&self, group: u16) -> TimeZone {
        let base = usize::from(zones::table().groups() as u16 + 1);
        let named = self.named.lock().unwrap_or_else(|e| e.into_inner());
        named
            .get(usize::from(group).saturating_sub(base))
            .map_or(TimeZone::UTC, |(_, tz)| tz.clone())
    }

    /// The group of numbers the table cannot place and that name no zone of their own:
    /// judged in the campaign's zone (and counted in a warning).
    pub(super) fn fallback(&self) -> u16 {
        zones::table().groups() as u16
    }

    /// The zone the campaign writes times in (UTC without `campaign.timezone`).
    fn own_tz(&self) -> TimeZone {
        self.zone.as_ref().map_or(TimeZone::UTC, |z| z.tz.clone())
    }

    /// The zones of a group (see [`CallingRules::group`]).
    fn zones_of(&self, group: u16, f: &mut dyn FnMut(&TimeZone) -> bool) -> bool {
        let table = zones::table();
        let n = table.groups() as u16;
        if group < n {
            table.group(group).zones().iter().all(|(_, tz)| f(tz))
        } else if group == n {
            // No campaign zone: nothing to judge the number in (the warning says so).
            self.zone.as_ref().is_none_or(|z| f(&z.tz))
        } else {
            let named = self.named.lock().unwrap_or_else(|e| e.into_inner());
            named
                .get(usize::from(group - n - 1))
                .is_none_or(|(_, tz)| f(tz))
        }
    }

    /// How plans name a zone group.
    pub fn label(&self, group: u16) -> String {
        let table = zones::table();
        let n = table.groups() as u16;
        if group < n {
            table.group(group).label.clone()
        } else if group == n {
            match &self.zone {
                Some(zone) => format!("{} (number not in the zone table)", zone.name),
                None => "number not in the zone table, no zone".to_owned(),
            }
        } else {
            let named = self.named.lock().unwrap_or_else(|e| e.into_inner());
            named
                .get(usize::from(group - n - 1))
                .map_or_else(String::new, |(name, _)| name.clone())
        }
    }

    /// Whether a call at `t` may ring in every zone of `group`; the rule that stops it if not.
    fn open_at(&self, group: u16, t: Timestamp) -> Result<(), Closed> {
        let mut closed = None;
        self.zones_of(group, &mut |tz| {
            let local = t.to_zoned(tz.clone());
            if self.quiet.contains(local.date()) {
                closed = Some(Closed::QuietDay);
                return false;
            }
            if let Some(window) = self.window
                && !window.contains(local.hour() as u16 * 60 + local.minute() as u16)
            {
                closed = Some(Closed::Window);
                return false;
            }
            true
        });
        closed.map_or(Ok(()), Err)
    }

    /// The first moment at or after `t` when a call may ring in every zone of `group`:
    /// openings (the window's start, or midnight without a window) in each zone over the
    /// next days, tried in order.
    fn next_opening(&self, group: u16, t: Timestamp) -> Option<Timestamp> {
        let start = self.window.map_or(jiff::civil::Time::midnight(), |w| {
            let minutes = w.start_minute();
            jiff::civil::time((minutes / 60) as i8, (minutes % 60) as i8, 0, 0)
        });
        let mut candidates = Vec::new();
        self.zones_of(group, &mut |tz| {
            let today = t.to_zoned(tz.clone()).date();
            for day in 0..=LOOKAHEAD_DAYS {
                if let Ok(date) = today.checked_add(day.days())
                    && let Ok(at) = date.to_datetime(start).to_zoned(tz.clone())
                {
                    candidates.push(at.timestamp());
                }
            }
            true
        });
        candidates.retain(|c| *c > t);
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .find(|&c| self.open_at(group, c).is_ok())
    }

    /// Judges one call: `at` its own time (`None`: `[recipients] at`, else now).
    pub(super) fn judge(&self, group: u16, at: Option<&Zoned>) -> Verdict {
        if !self.active() {
            return Verdict::Open;
        }
        if let Some(at) = at {
            return match self.open_at(group, at.timestamp()) {
                Ok(()) => Verdict::Open,
                Err(rule) => Verdict::Closed {
                    rule,
                    immediate: false,
                },
            };
        }
        if let Some(memo) = self.shared.get(usize::from(group)) {
            return memo.get_or_init(|| self.judge_shared(group)).clone();
        }
        let mut named = self.named_shared.lock().unwrap_or_else(|e| e.into_inner());
        named
            .entry(group)
            .or_insert_with(|| self.judge_shared(group))
            .clone()
    }

    /// Judges the calls of a group that have no time of their own: at `[recipients] at`,
    /// else now (deferred to the next opening if the campaign says so).
    fn judge_shared(&self, group: u16) -> Verdict {
        match &self.default_at {
            Some(at) => match self.open_at(group, at.timestamp()) {
                Ok(()) => Verdict::Open,
                Err(rule) => Verdict::Closed {
                    rule,
                    immediate: false,
                },
            },
            None => match self.open_at(group, self.now) {
                Ok(()) => Verdict::Open,
                Err(rule) if !self.defer => Verdict::Closed {
                    rule,
                    immediate: true,
                },
                Err(rule) => match self.next_opening(group, self.now) {
                    Some(t) => Verdict::Deferred(t.to_zoned(self.own_tz())),
                    None => Verdict::Closed {
                        rule,
                        immediate: true,
                    },
                },
            },
        }
    }

    /// A closed call, for messages: "calling now rings Sun 04:00 in Pacific/Honolulu", or
    /// "the call at 2026-12-01 09:00 rings …" (in the campaign's zone), naming the first zone
    /// of the group where it may not ring.
    pub(super) fn when(&self, group: u16, t: Timestamp, immediate: bool) -> String {
        let when = if immediate {
            "calling now".to_string()
        } else {
            format!(
                "the call at {}",
                t.to_zoned(self.own_tz()).strftime("%Y-%m-%d %H:%M")
            )
        };
        format!("{when} rings {}", self.local(group, t))
    }

    /// The local time of `t` in the first zone of a group where a call may not ring.
    fn local(&self, group: u16, t: Timestamp) -> String {
        let mut text = String::new();
        self.zones_of(group, &mut |tz| {
            let local = t.to_zoned(tz.clone());
            let name = tz.iana_name().unwrap_or("?");
            text = format!(
                "{} {:02}:{:02} in {name}",
                weekday(local.weekday()),
                local.hour(),
                local.minute()
            );
            self.open_at_zone(tz, t)
        });
        text
    }

    fn open_at_zone(&self, tz: &TimeZone, t: Timestamp) -> bool {
        let local = t.to_zoned(tz.clone());
        !self.quiet.contains(local.date())
            && self
                .window
                .is_none_or(|w| w.contains(local.hour() as u16 * 60 + local.minute() as u16))
    }
}

/// How a recipient's zone was found ([`CallingRules::group`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Placed {
    /// By the zone table alone (its own `timezone`, if any, agrees with it).
    Table,
    /// By its own `timezone`, one of its prefix's several zones: this group.
    Narrowed(u16),
    /// By its own `timezone`: the table cannot place the number.
    Own,
    /// By the zone table, although its own `timezone` names another zone (check warns).
    Overruled,
}

impl Placed {
    /// The group judged in, given the table's.
    fn group(self, table: u16) -> u16 {
        match self {
            Placed::Narrowed(own) => own,
            _ => table,
        }
    }
}

/// Whether two zones keep the same clock over the coming year (an alias such as
/// `US/Central`, or a neighbour with the same rules): a recipient naming one of them does
/// not contradict a table naming the other. Sampled every 5 days, finer than any two
/// regions' daylight-saving dates differ by.
fn same_clock(a: &TimeZone, b: &TimeZone, from: Timestamp) -> bool {
    (0..=73).all(|step: i64| {
        from.checked_add((step * 5 * 24).hours())
            .is_ok_and(|t| a.to_offset(t) == b.to_offset(t))
    })
}

fn weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}
