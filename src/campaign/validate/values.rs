//! The campaign's own values: its name, phone numbers, `[vars]`, extensions and times.

use std::collections::BTreeMap;

use toml::Spanned;

use super::super::check::Checker;
use super::super::model::Zone;
use crate::diagnostic::Problem;
use crate::phone::{self, PhoneNumber};
use crate::schedule;

impl Checker<'_> {
    pub(super) fn name(&mut self, name: &Spanned<String>) -> Option<String> {
        let text = name.get_ref();
        let slug = !text.is_empty()
            && text.len() <= 40
            && text.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if slug {
            return Some(text.clone());
        }
        let suggestion: String = text
            .to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let help = if suggestion.is_empty() || suggestion.len() > 40 {
            "use lower-case letters, digits and single hyphens, at most 40 characters, e.g. \"web-outage\"".to_string()
        } else {
            format!("use lower-case letters, digits and single hyphens, e.g. \"{suggestion}\"")
        };
        self.error(
            "campaign::bad-name",
            format!("campaign name \"{text}\" is not a slug"),
            name.span(),
            "not a slug",
            help,
        );
        None
    }

    pub(super) fn number(&mut self, value: &Spanned<String>, what: &str) -> Option<PhoneNumber> {
        let parsed = if self.provider.calls_abroad() {
            phone::parse_international(value.get_ref())
        } else {
            phone::parse(value.get_ref())
        }
        .and_then(|n| phone::check_kind(&n, self.allowed).map(|()| n));
        match parsed {
            Ok(number) => Some(number),
            Err(err) => {
                let help = err.help();
                let message = err.message(self.provider_name());
                self.error(
                    "campaign::bad-number",
                    format!("{what} \"{}\": {message}", value.get_ref()),
                    value.span(),
                    "not a callable number",
                    help,
                );
                None
            }
        }
    }

    pub(super) fn vars(
        &mut self,
        raw: &BTreeMap<Spanned<String>, Spanned<String>>,
    ) -> BTreeMap<String, String> {
        let mut vars = BTreeMap::new();
        for (key, value) in raw {
            if self.var_name(key) && self.xml_text(value, &format!("var `{}`", key.get_ref())) {
                vars.insert(key.get_ref().clone(), value.get_ref().clone());
            }
        }
        vars
    }

    pub(super) fn var_name(&mut self, key: &Spanned<String>) -> bool {
        let name = key.get_ref();
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return true;
        }
        self.error(
            "campaign::bad-var-name",
            format!("\"{name}\" cannot be used as a placeholder name"),
            key.span(),
            "not a placeholder name",
            "var names use letters, digits, `_` and `-`",
        );
        false
    }

    pub(super) fn ext(&mut self, ext: &Spanned<String>) -> Option<String> {
        let text = ext.get_ref();
        if !text.is_empty() && text.len() <= 16 && text.bytes().all(|b| b.is_ascii_digit()) {
            return Some(text.clone());
        }
        self.error(
            "campaign::bad-ext",
            format!("extension \"{text}\" is not 1 to 16 digits"),
            ext.span(),
            "digits only",
            "write the extension as digits, e.g. \"101\"",
        );
        None
    }

    pub(super) fn at(&mut self, at: &Spanned<String>, zone: Option<&Zone>) -> Option<jiff::Zoned> {
        let Some(zone) = zone else {
            if self.zone_reported {
                return None;
            }
            self.error(
                "campaign::missing-timezone",
                "a time is given but the campaign has no time zone",
                at.span(),
                "in which time zone?",
                "add `timezone = \"America/Chicago\"` (your zone) to [campaign]",
            );
            return None;
        };
        match schedule::parse_at(at.get_ref(), &zone.tz, &zone.name) {
            Ok(time) => {
                if time.second() != 0 || time.subsec_nanosecond() != 0 {
                    self.problems.push(
                        Problem::warning(
                            "campaign::seconds-dropped",
                            format!(
                                "{} schedules to the minute; the seconds are dropped",
                                self.provider_name()
                            ),
                        )
                        .at(self.source, at.span(), "seconds ignored")
                        .help("write the time as \"YYYY-MM-DD HH:MM\""),
                    );
                }
                Some(time)
            }
            Err(err) => {
                let help = match err {
                    schedule::ScheduleError::Unparsable(_) => {
                        "write \"YYYY-MM-DD HH:MM\" (24-hour), e.g. \"2026-12-01 09:00\""
                    }
                    schedule::ScheduleError::OffsetConflict(..) => {
                        "write the zone's own offset, or drop the offset and keep the zone"
                    }
                    schedule::ScheduleError::Fold(..) => {
                        "pick a time that happens once, or add the offset that says which (e.g. -04:00 or -05:00)"
                    }
                    schedule::ScheduleError::Gap(..) => {
                        "pick a time that happens exactly once that day"
                    }
                };
                self.error(
                    "campaign::bad-time",
                    err.to_string(),
                    at.span(),
                    "not a usable time",
                    help,
                );
                None
            }
        }
    }
}
