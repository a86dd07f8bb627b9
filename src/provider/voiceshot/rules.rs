//! VoiceShot's rules on a campaign, asked while it loads: how it reads times and sound
//! names, how large an upload it takes, and the warning about a campaign with no prompt.

use super::{VoiceShot, dates};
use crate::campaign::check::Checker;
use crate::campaign::contacts::RecipientStats;
use crate::campaign::file::CampaignFile;
use crate::campaign::rules::ProviderRules;
use crate::diagnostic::Problem;

impl ProviderRules for VoiceShot {
    fn max_upload_bytes(&self) -> u64 {
        self.max_upload_bytes
    }

    fn time_problem(&self, at: &jiff::Zoned) -> Option<String> {
        // `dateandtime` is a wall time in the account's zone with no offset: a wall time that
        // happens twice there (the hour the clocks fall back) may be read an hour early. In
        // the campaign's own zone such times are refused when they are parsed.
        let zone = self.account_zone.as_ref()?;
        let civil = at.with_time_zone(zone.clone()).datetime();
        match zone.to_ambiguous_zoned(civil).offset() {
            jiff::tz::AmbiguousOffset::Fold { before, after } => Some(format!(
                "in the VoiceShot account's time zone this is {}, which happens twice (at {before} and at {after}): VoiceShot may call an hour early",
                dates::format(at, zone)
            )),
            _ => None,
        }
    }

    fn sound_name_problem(&self, name: &str) -> Option<String> {
        // VoiceShot stores sounds by file name and refuses names with spaces or symbols
        // (`a&b c.wav` passes as XML but is rejected by the service).
        let stem = name
            .strip_suffix(".wav")
            .or_else(|| name.strip_suffix(".WAV"));
        let Some(stem) = stem else {
            return Some("VoiceShot sound file names end in .wav".into());
        };
        let bad = stem
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
        match bad {
            _ if stem.is_empty() => Some("the name has nothing before .wav".into()),
            Some(c) => Some(format!(
                "VoiceShot sound file names are letters, digits, `_`, `.` and `-`; {c:?} is not one of them"
            )),
            None => None,
        }
    }

    fn check_campaign(&self, check: &mut Checker<'_>, file: &CampaignFile, stats: &RecipientStats) {
        // VoiceShot places an action-0 call without `<prompts>` all the same: the recipient
        // hears the menu's own recordings, or nothing. Almost never what was meant, and easy to
        // miss in a file written only to pause or query (the other providers say what to play in
        // their own tables, so this is VoiceShot's alone).
        if file.prompts.is_empty()
            && stats.recipients > 0
            && !check
                .pruned
                .iter()
                .any(|p| p.meant.as_deref() == Some("prompt"))
        {
            check.problems.push(
                Problem::warning(
                    "campaign::no-prompt",
                    format!(
                        "the campaign has no prompt: `send` would place {} call{} with nothing of its own to play",
                        stats.recipients,
                        if stats.recipients == 1 { "" } else { "s" }
                    ),
                )
                .at(check.source, check.campaign_span.clone(), "this campaign")
                .help("add a [[prompt]] with id and tts, audio or sound; a file only for pause or resume needs no recipients"),
            );
        }
    }
}
