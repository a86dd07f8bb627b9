//! The recipients written in the campaign file (`[[recipient]]` and `[recipients] numbers`):
//! each number once, each call id once, and times the provider would read other than meant.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::super::check::Checker;
use super::super::file::{CampaignFile, RecipientEntry};
use super::super::model::{Recipient, Vars, Zone};
use super::super::rules::ProviderRules;
use crate::callid;
use crate::diagnostic::Problem;
use crate::phone::PhoneNumber;

impl Checker<'_> {
    pub(super) fn recipients(
        &mut self,
        raw: &CampaignFile,
        prefix: &str,
        zone: Option<&Zone>,
    ) -> (Vec<Recipient>, Option<jiff::Zoned>) {
        let mut out: Vec<Recipient> = Vec::new();
        let mut seen: HashMap<PhoneNumber, Range<usize>> = HashMap::new();
        let mut callids: HashMap<String, Range<usize>> = HashMap::new();
        let default_at = raw.recipients.as_ref().and_then(|r| r.at.as_ref());
        let default_at = default_at.and_then(|at| self.at(at, zone));

        for entry in &raw.recipient {
            let e: &RecipientEntry = entry.get_ref();
            let Some(number_text) = &e.number else {
                continue;
            };
            let number = self.number(number_text, "number");
            let callid = self.entry_callid(e);
            let at = match &e.at {
                Some(at) => self.at(at, zone),
                None => default_at.clone(),
            };
            let timezone = e
                .timezone
                .as_ref()
                .and_then(|tz| self.zone(tz, "timezone"))
                .map(|z| z.name);
            let ext = e.ext.as_ref().and_then(|ext| self.ext(ext));
            let callerid = e
                .callerid
                .as_ref()
                .and_then(|id| self.callerid(id, "callerid"));
            let vars = self.entry_vars(e);
            let Some(number) = number else { continue };
            if self.duplicate(&mut seen, number, number_text) {
                continue;
            }
            let callid = callid.unwrap_or_else(|| callid::derive(prefix, &number));
            let id_span = e
                .callid
                .as_ref()
                .map_or_else(|| number_text.span(), Spanned::span);
            if !self.unique_callid(&mut callids, &callid, id_span) {
                continue;
            }
            out.push(Recipient {
                number,
                callid,
                at,
                ext,
                callerid,
                timezone,
                vars,
                span: number_text.span(),
                at_span: e.at.as_ref().map(Spanned::span),
                row: None,
            });
        }
        for number_text in raw.recipients.iter().flat_map(|r| &r.numbers) {
            let Some(number) = self.number(number_text, "number") else {
                continue;
            };
            if self.duplicate(&mut seen, number, number_text) {
                continue;
            }
            let callid = callid::derive(prefix, &number);
            if !self.unique_callid(&mut callids, &callid, number_text.span()) {
                continue;
            }
            out.push(listed_recipient(
                number,
                callid,
                default_at.clone(),
                number_text.span(),
            ));
        }
        (out, default_at)
    }

    /// The call id a `[[recipient]]` entry gives, when it is a valid one.
    fn entry_callid(&mut self, e: &RecipientEntry) -> Option<String> {
        match &e.callid {
            Some(id) => match callid::validate(id.get_ref()) {
                Ok(()) => Some(id.get_ref().clone()),
                Err(err) => {
                    self.error(
                        "campaign::bad-callid",
                        err.message(self.provider_name()),
                        id.span(),
                        format!("not a {} call id", self.provider_name()),
                        "use up to 50 letters and digits, e.g. \"vip1\"",
                    );
                    None
                }
            },
            None => None,
        }
    }

    /// The vars of a `[[recipient]]` entry whose names and values are valid.
    fn entry_vars(&mut self, e: &RecipientEntry) -> Vars {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for (key, value) in &e.vars {
            if self.var_name(key) && self.xml_text(value, &format!("var `{}`", key.get_ref())) {
                pairs.push((key.get_ref(), value.get_ref()));
            }
        }
        Vars::from_pairs(pairs)
    }

    /// Times written in the campaign file that the provider would read other than meant.
    pub(super) fn provider_times(
        &mut self,
        provider: &dyn ProviderRules,
        raw: &CampaignFile,
        default_at: Option<&jiff::Zoned>,
        recipients: &[Recipient],
    ) {
        let default_span = raw.recipients.as_ref().and_then(|s| s.at.as_ref());
        let written = default_at
            .zip(default_span.map(Spanned::span))
            .into_iter()
            .chain(
                recipients
                    .iter()
                    .filter_map(|r| r.at.as_ref().zip(r.at_span.clone())),
            );
        for (at, span) in written {
            if let Some(why) = provider.time_problem(at) {
                self.error(
                    "campaign::ambiguous-time",
                    why,
                    span,
                    "read two ways",
                    "move the call out of the hour the clocks fall back, or set account_timezone to the zone the account really uses",
                );
            }
        }
    }

    pub(super) fn duplicate(
        &mut self,
        seen: &mut HashMap<PhoneNumber, Range<usize>>,
        number: PhoneNumber,
        at: &Spanned<String>,
    ) -> bool {
        if let Some(first) = seen.get(&number) {
            self.duplicates += 1;
            self.problems.push(
                Problem::warning(
                    "campaign::duplicate-number",
                    format!("{number} is listed twice; it is called once"),
                )
                .at(self.source, at.span(), "listed again here")
                .note(first.clone(), "first listed here (this entry is used)")
                .help("remove one of the two entries"),
            );
            return true;
        }
        seen.insert(number, at.span());
        false
    }

    pub(super) fn unique_callid(
        &mut self,
        callids: &mut HashMap<String, Range<usize>>,
        callid: &str,
        span: Range<usize>,
    ) -> bool {
        if let Some(first) = callids.get(callid) {
            self.problems.push(
                Problem::error(
                    "campaign::duplicate-callid",
                    format!("call id \"{callid}\" is given to two recipients"),
                )
                .at(self.source, span, "used again here")
                .note(first.clone(), "first used here")
                .help("call ids pick out calls to query or delete; give each recipient its own"),
            );
            return false;
        }
        callids.insert(callid.to_string(), span);
        true
    }
}

/// A recipient from `[recipients] numbers`: a number and the campaign's defaults.
fn listed_recipient(
    number: PhoneNumber,
    callid: String,
    at: Option<jiff::Zoned>,
    span: Range<usize>,
) -> Recipient {
    Recipient {
        number,
        callid,
        at,
        ext: None,
        callerid: None,
        timezone: None,
        vars: Vars::default(),
        span,
        at_span: None,
        row: None,
    }
}
