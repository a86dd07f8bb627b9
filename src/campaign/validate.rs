//! The meaning check: from well-typed raw values to the clean [`Campaign`] model.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::Spanned;

use super::check::Checker;
use super::contacts::{self, Header, ScanInput};
use super::file::{CampaignFile, KeypressEntry, PromptEntry, RecipientEntry};
use super::model::{
    Campaign, KeypressRule, LoadOptions, Prompt, PromptContent, Recipient, Sound, Vars, Zone,
};
use super::rules::{LoadContext, ProviderRules};
use super::structure::Pruned;
use crate::diagnostic::{Problem, Problems};
use crate::phone::{self, PhoneNumber};
use crate::provider::name::ProviderName;
use crate::source::SourceFile;
use crate::template::Template;
use crate::{audio, callid, schedule, xmltext};

/// At most this many recipients are named for one missing placeholder; the rest are counted.
const MISSING_VAR_EXAMPLES: usize = 3;

/// `[vars]` as validated, and as written (with spans).
type VarsAsReadAndWritten<'a> = (
    &'a BTreeMap<String, String>,
    &'a BTreeMap<Spanned<String>, Spanned<String>>,
);

pub(super) fn validate(
    raw: CampaignFile,
    source: &Arc<SourceFile>,
    pruned: &[Pruned],
    provider_span: Option<Range<usize>>,
    options: &LoadOptions,
    problems: &mut Problems,
    above: &LoadContext<'_>,
) -> Option<Campaign> {
    let section = raw.campaign.as_ref()?;
    let provider_name = section.provider;
    let mut c = Checker {
        source,
        problems,
        pruned,
        duplicates: 0,
        provider: provider_name,
        campaign_span: section.name.as_ref().map_or(0..0, Spanned::span),
        provider_span,
        zone_reported: false,
        allowed: phone::NumberTypes::default(),
    };
    let name = section.name.as_ref().and_then(|n| c.name(n));
    let timezone = section
        .timezone
        .as_ref()
        .and_then(|tz| c.zone(tz, "timezone"));
    c.zone_reported = (section.timezone.is_some() && timezone.is_none())
        || c.pruned
            .iter()
            .any(|p| p.table == "campaign" && p.meant.as_deref() == Some("timezone"));
    let provider = (above.build)(provider_name, &raw, &mut c);

    let vars = c.vars(&raw.vars);
    let max_upload = provider.map_or(audio::DEFAULT_MAX_BYTES, |p| p.max_upload_bytes());
    let (prompts, sounds) = c.prompts(&raw.prompts, max_upload, provider);
    let on_keypress = c.keypress_rules(&raw.on_keypress, &raw.prompts, provider);

    c.allowed = contacts::number_types(raw.recipients.as_ref(), c.source, c.problems);
    let prefix = name.as_deref().map(callid::prefix).unwrap_or_default();
    let (recipients, default_at) = c.recipients(&raw, &prefix, timezone.as_ref());
    if let Some(p) = provider {
        c.provider_times(p, &raw, default_at.as_ref(), &recipients);
    }
    let section = raw.recipients.as_ref();
    let header = section.and_then(|s| {
        let csv = s.csv.as_ref()?;
        contacts::read_header(csv, s.number_column.as_ref(), c.source, c.problems)
    });
    if header.is_none()
        && let Some(column) = section.and_then(|s| s.number_column.as_ref())
        && section.is_some_and(|s| s.csv.is_none() && s.suppress.is_empty())
    {
        c.problems.push(
            Problem::warning(
                "campaign::unused-number-column",
                "number_column is set but there is no csv or suppression list",
            )
            .at(c.source, column.span(), "unused")
            .help("add csv = \"contacts.csv\" to [recipients], or remove number_column"),
        );
    }
    c.placeholders(
        &prompts,
        &raw.prompts,
        &recipients,
        (&vars, &raw.vars),
        header.as_ref(),
        provider.map(|p| p.vars_used()).unwrap_or_default(),
    );

    let settings = contacts::settings(
        section,
        timezone.as_ref(),
        c.zone_reported,
        c.provider_name(),
        c.source,
        c.problems,
    );
    let inline_count = (raw.recipient.len() + section.map_or(0, |s| s.numbers.len())) as u64;
    let csv_failed = section.is_some_and(|s| s.csv.is_some()) && header.is_none();
    if c.problems.has_errors() || csv_failed {
        // The scan does not run on a campaign with errors; past times are still worth a
        // warning while the errors are fixed.
        contacts::past_times(
            &recipients,
            default_at.as_ref(),
            section.and_then(|s| s.at.as_ref()).map(Spanned::span),
            source,
            options,
            c.provider_name(),
            c.problems,
        );
        return None;
    }
    let time_problem = |at: &jiff::Zoned| provider.and_then(|p| p.time_problem(at));
    let scanned = contacts::scan(
        ScanInput {
            source,
            section,
            header,
            prefix: &prefix,
            zone: timezone.as_ref(),
            default_at: default_at.as_ref(),
            prompts: &prompts,
            vars: &vars,
            options,
            inline: recipients,
            inline_duplicates: c.duplicates,
            inline_count,
            region: settings.region,
            window: settings.window,
            quiet: settings.quiet,
            defer: settings.defer,
            max_calls: settings.max_calls,
            name: name.as_deref().unwrap_or_default(),
            history: above.history,
            provider: c.provider_name(),
            time_check: Some(&time_problem),
            abroad: c.provider.calls_abroad(),
            allowed: c.allowed,
        },
        c.problems,
    );
    let (recipients, contacts, stats) = (scanned.inline, scanned.contacts, scanned.stats);
    let suppress_lists = section
        .iter()
        .flat_map(|s| &s.suppress)
        .map(|list| source.resolve(list.get_ref()))
        .collect();

    if stats.recipients == 0
        && stats.suppressed == 0
        && stats.rows == 0
        && raw.recipients.is_some()
        && !c.pruned_in("recipients")
        // Recipients the calling rules refused, or a list that could not be read, were
        // reported as errors already.
        && !c.problems.iter().any(|p| {
            matches!(
                p.code(),
                "campaign::outside-window" | "campaign::quiet-day" | "csv::unreadable"
            )
        })
    {
        c.problems.push(
            Problem::warning(
                "campaign::no-recipients",
                "the campaign has no recipients: send has nothing to do",
            )
            .in_file(c.source)
            .help("list numbers under [recipients] numbers = [...] or add [[recipient]] entries"),
        );
    }

    // The provider's own rules about the campaign as a whole.
    let provider = provider?;
    provider.check_campaign(&mut c, &raw, &stats);

    Some(Campaign {
        name: name?,
        provider_name,
        timezone,
        vars,
        prompts,
        sounds,
        recipients,
        contacts,
        suppress_lists,
        stats,
        callid_prefix: prefix,
        default_at,
        source: Arc::clone(source),
        on_keypress,
        any_hour: settings.any_hour,
    })
}

impl Checker<'_> {
    fn name(&mut self, name: &Spanned<String>) -> Option<String> {
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

    fn number(&mut self, value: &Spanned<String>, what: &str) -> Option<PhoneNumber> {
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

    fn vars(
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

    fn var_name(&mut self, key: &Spanned<String>) -> bool {
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

    fn prompts(
        &mut self,
        raw: &[Spanned<PromptEntry>],
        max_upload: u64,
        provider: Option<&dyn ProviderRules>,
    ) -> (Vec<Prompt>, Vec<Sound>) {
        let mut prompts = Vec::new();
        let mut sounds: Vec<Sound> = Vec::new();
        let mut ids: HashMap<u32, Range<usize>> = HashMap::new();
        for (index, entry) in raw.iter().enumerate() {
            let span = entry.span();
            let p = entry.get_ref();
            if let Some(id) = &p.id {
                if let Some(first) = ids.get(id.get_ref()) {
                    self.problems.push(
                        Problem::error("campaign::duplicate-prompt-id", format!("prompt id {} is used twice", id.get_ref()))
                            .at(self.source, id.span(), "used again here")
                            .note(first.clone(), "first used here")
                            .help("each [[prompt]] fills a different API prompt of the designed campaign; give it its own id"),
                    );
                } else {
                    ids.insert(*id.get_ref(), id.span());
                }
            }
            let given: Vec<(&str, &Spanned<String>)> =
                [("tts", &p.tts), ("audio", &p.audio), ("sound", &p.sound)]
                    .into_iter()
                    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
                    .collect();
            let content = match given.as_slice() {
                // A content key that was misspelt or mistyped was already reported.
                [] if self.pruned_in(&format!("prompt[{}]", index + 1)) => None,
                [] => {
                    self.error(
                        "campaign::prompt-content",
                        "this prompt has nothing to play",
                        span.clone(),
                        "needs tts, audio or sound",
                        "give exactly one of `tts = \"text\"`, `audio = \"file.wav\"` (uploaded) or `sound = \"name.wav\"` (already in the account)",
                    );
                    None
                }
                [("tts", text)] => self.tts(text),
                [("audio", path)] => self.audio(path, max_upload, &mut sounds, provider),
                [(_, name)] => self
                    .sound_name_text(name.get_ref(), name, provider)
                    .then(|| PromptContent::Sound(name.get_ref().clone())),
                [first, second, ..] => {
                    self.problems.push(
                        Problem::error(
                            "campaign::prompt-content",
                            format!("this prompt has both `{}` and `{}`", first.0, second.0),
                        )
                        .at(self.source, second.1.span(), format!("`{}` here", second.0))
                        .note(first.1.span(), format!("`{}` here", first.0))
                        .help("a prompt plays one thing: keep exactly one of tts, audio and sound"),
                    );
                    None
                }
            };
            let transferto = p
                .transferto
                .as_ref()
                .and_then(|t| self.number(t, "transfer number"));
            let callerid = p
                .callerid
                .as_ref()
                .and_then(|id| self.callerid(id, "callerid"));
            if let (Some(id), Some(content)) = (&p.id, content) {
                prompts.push(Prompt {
                    id: *id.get_ref(),
                    content,
                    transferto,
                    callerid,
                    span,
                });
            }
        }
        (prompts, sounds)
    }

    /// The `[[on_keypress]]` rules: each names a prompt of the file, keys VoiceShot can
    /// report, and something to do, moving the call at most one way.
    fn keypress_rules(
        &mut self,
        raw: &[Spanned<KeypressEntry>],
        raw_prompts: &[Spanned<PromptEntry>],
        provider: Option<&dyn ProviderRules>,
    ) -> Vec<KeypressRule> {
        let mut rules = Vec::new();
        let mut seen: HashMap<(u32, String), Range<usize>> = HashMap::new();
        let prompt_ids: HashSet<u32> = raw_prompts
            .iter()
            .filter_map(|p| p.get_ref().id.as_ref().map(|id| *id.get_ref()))
            .collect();
        for entry in raw {
            let span = entry.span();
            let e = entry.get_ref();
            if !self.provider.takes_call_commands() {
                // Named by the providers that do take them: the rule is theirs.
                let takers = ProviderName::ALL
                    .into_iter()
                    .filter(|p| p.takes_call_commands())
                    .map(ProviderName::display)
                    .collect::<Vec<_>>()
                    .join(" or ");
                self.error(
                    "campaign::rule-provider",
                    format!(
                        "{} posts no Call Events, so this rule would never run",
                        self.provider_name()
                    ),
                    span.clone(),
                    format!("a {takers}-only rule"),
                    format!(
                        "remove the [[on_keypress]] rules, or send the campaign through {takers}"
                    ),
                );
                continue;
            }
            let mut ok = true;
            let prompt_exists = |c: &mut Self, id: &Spanned<u32>, what: &str| {
                if prompt_ids.contains(id.get_ref()) {
                    return true;
                }
                c.error(
                    "campaign::rule-prompt",
                    format!("{what} {} is not the id of a [[prompt]]", id.get_ref()),
                    id.span(),
                    "no such prompt",
                    "use the id of one of the campaign's [[prompt]] entries",
                );
                false
            };
            if let Some(p) = &e.prompt {
                ok &= prompt_exists(self, p, "prompt");
            }
            if let Some(g) = &e.goto {
                ok &= prompt_exists(self, g, "goto");
            }
            let keys_ok = |text: &str| {
                !text.is_empty()
                    && text
                        .chars()
                        .all(|ch| ch.is_ascii_digit() || matches!(ch, '*' | '#'))
            };
            for (what, value) in [("key", &e.key), ("dtmf", &e.dtmf)] {
                if let Some(v) = value.as_ref().filter(|v| !keys_ok(v.get_ref())) {
                    ok = false;
                    self.error(
                        "campaign::rule-keys",
                        format!("{what} \"{}\" is not a sequence of phone keys", v.get_ref()),
                        v.span(),
                        "only 0-9, * and #",
                        "write the keys as pressed, e.g. \"1\", \"#\" or \"1234\"",
                    );
                }
            }
            let transferto = e.transferto.as_ref().and_then(|t| {
                let n = self.number(t, "transfer number");
                ok &= n.is_some();
                n
            });
            let callerid = e.callerid.as_ref().and_then(|id| {
                let cid = self.callerid(id, "callerid");
                ok &= cid.is_some();
                cid
            });
            if let (Some(id), None) = (&e.callerid, &e.transferto) {
                ok = false;
                self.error(
                    "campaign::rule-callerid",
                    "callerid without transferto",
                    id.span(),
                    "shown on a transfer only",
                    "add `transferto = \"…\"`, or remove the callerid",
                );
            }
            if let Some(t) = &e.tts {
                if t.get_ref().trim().is_empty() {
                    ok = false;
                    self.error(
                        "campaign::empty-tts",
                        "the tts text is empty",
                        t.span(),
                        "nothing to say",
                        "write the sentence to speak, or remove tts",
                    );
                } else {
                    ok &= self.xml_text(t, "the tts text");
                }
            }
            if let Some(f) = &e.filename {
                ok &= self.sound_name_text(f.get_ref(), f, provider);
            }
            if let (Some(goto), Some(transfer)) = (&e.goto, &e.transferto) {
                ok = false;
                self.problems.push(
                    Problem::error(
                        "campaign::rule-moves",
                        "this rule moves the call two ways: goto and transferto",
                    )
                    .at(self.source, transfer.span(), "transfers the call")
                    .note(goto.span(), "jumps to another prompt")
                    .help("a Call Command moves the call at most once: keep goto or transferto"),
                );
            }
            let acts = e.goto.is_some()
                || e.tts.is_some()
                || e.filename.is_some()
                || e.transferto.is_some()
                || e.dtmf.is_some();
            if !acts {
                ok = false;
                self.error(
                    "campaign::rule-action",
                    "this rule does nothing",
                    span.clone(),
                    "no action",
                    "give at least one of goto, tts, filename, transferto, dtmf",
                );
            }
            let (Some(prompt), Some(key)) = (&e.prompt, &e.key) else {
                continue;
            };
            let pair = (*prompt.get_ref(), key.get_ref().clone());
            if let Some(first) = seen.get(&pair) {
                ok = false;
                self.problems.push(
                    Problem::error(
                        "campaign::duplicate-rule",
                        format!("a second rule for key \"{}\" at prompt {}", pair.1, pair.0),
                    )
                    .at(self.source, span.clone(), "never runs")
                    .note(first.clone(), "this rule answers first")
                    .help("merge the two rules, or remove one"),
                );
            } else {
                seen.insert(pair.clone(), span.clone());
            }
            if ok {
                rules.push(KeypressRule {
                    prompt: pair.0,
                    key: pair.1,
                    goto: e.goto.as_ref().map(|g| *g.get_ref()),
                    tts: e.tts.as_ref().map(|t| t.get_ref().clone()),
                    filename: e.filename.as_ref().map(|f| f.get_ref().clone()),
                    transferto: transferto.map(|n| n.as_str().to_owned()),
                    callerid,
                    dtmf: e.dtmf.as_ref().map(|d| d.get_ref().clone()),
                });
            }
        }
        rules
    }

    fn tts(&mut self, text: &Spanned<String>) -> Option<PromptContent> {
        if text.get_ref().trim().is_empty() {
            self.error(
                "campaign::empty-tts",
                "the tts text is empty",
                text.span(),
                "nothing to say",
                "write the sentence to speak, or remove the prompt",
            );
            return None;
        }
        if !self.xml_text(text, "the tts text") {
            return None;
        }
        match Template::parse(text.get_ref()) {
            Ok(template) => Some(PromptContent::Tts(template)),
            Err(errors) => {
                for err in errors {
                    let span = self.inner_span(text, err.span.clone());
                    self.error(
                        "campaign::bad-template",
                        err.message,
                        span,
                        "here",
                        err.help,
                    );
                }
                None
            }
        }
    }

    fn audio(
        &mut self,
        path: &Spanned<String>,
        max_upload: u64,
        sounds: &mut Vec<Sound>,
        provider: Option<&dyn ProviderRules>,
    ) -> Option<PromptContent> {
        let written = Path::new(path.get_ref());
        let resolved = self.source.resolve(path.get_ref());
        let Some(name) = written
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            self.error(
                "campaign::bad-audio-path",
                format!("\"{}\" does not name a file", path.get_ref()),
                path.span(),
                "no file name",
                "give the path of a .wav file",
            );
            return None;
        };
        if let Some(index) = sounds.iter().position(|s| s.path == resolved) {
            return Some(PromptContent::Audio(index));
        }
        if let Some(other) = sounds.iter().find(|s| s.name == name) {
            self.problems.push(
                Problem::error(
                    "campaign::sound-name-clash",
                    format!("two different files would both be uploaded as \"{name}\""),
                )
                .at(self.source, path.span(), "this file")
                .note(other.span.clone(), "and this one")
                .help(format!(
                    "{} keeps sound files by file name; rename one of them",
                    self.provider_name()
                )),
            );
            return None;
        }
        if !self.sound_name_text(&name, path, provider) {
            return None;
        }
        if let Err(problem) = audio::inspect_file(&resolved, max_upload) {
            let mut help = problem.fix(&resolved);
            if problem.code() == "audio::io" {
                help.push_str(" (audio paths are relative to the campaign file's folder)");
            }
            self.error(
                problem.code(),
                format!("{}: {problem}", resolved.display()),
                path.span(),
                "this file",
                help,
            );
            return None;
        }
        sounds.push(Sound {
            path: resolved,
            name,
            span: path.span(),
        });
        Some(PromptContent::Audio(sounds.len() - 1))
    }

    fn sound_name_text(
        &mut self,
        name: &str,
        at: &Spanned<String>,
        provider: Option<&dyn ProviderRules>,
    ) -> bool {
        let bad = name.is_empty()
            || name.contains(['/', '\\'])
            || xmltext::first_forbidden(name).is_some();
        if bad {
            self.error(
                "campaign::bad-sound-name",
                format!("\"{name}\" is not a sound file name"),
                at.span(),
                "not a file name",
                "a stored sound is named by its file name alone, e.g. \"greeting.wav\"",
            );
            return false;
        }
        if let Some(why) = provider.and_then(|p| p.sound_name_problem(name)) {
            self.error(
                "campaign::bad-sound-name",
                format!("\"{name}\" cannot be a sound file name: {why}"),
                at.span(),
                "the provider would refuse this name",
                "rename the file, e.g. \"greeting-2.wav\"",
            );
            return false;
        }
        true
    }

    fn recipients(
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
            let callid = match &e.callid {
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
            };
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
            let mut pairs: Vec<(&str, &str)> = Vec::new();
            for (key, value) in &e.vars {
                if self.var_name(key) && self.xml_text(value, &format!("var `{}`", key.get_ref())) {
                    pairs.push((key.get_ref(), value.get_ref()));
                }
            }
            let vars = Vars::from_pairs(pairs);
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
            out.push(Recipient {
                number,
                callid,
                at: default_at.clone(),
                ext: None,
                callerid: None,
                timezone: None,
                vars: Vars::default(),
                span: number_text.span(),
                at_span: None,
                row: None,
            });
        }
        (out, default_at)
    }

    /// Times written in the campaign file that the provider would read other than meant.
    fn provider_times(
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

    fn duplicate(
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

    fn unique_callid(
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

    fn at(&mut self, at: &Spanned<String>, zone: Option<&Zone>) -> Option<jiff::Zoned> {
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

    fn ext(&mut self, ext: &Spanned<String>) -> Option<String> {
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

    /// Every placeholder of every prompt must have a value for every recipient. (Vars the
    /// provider's settings use are not reported unused.)
    fn placeholders(
        &mut self,
        prompts: &[Prompt],
        raw_prompts: &[Spanned<PromptEntry>],
        recipients: &[Recipient],
        (vars, raw_vars): VarsAsReadAndWritten<'_>,
        csv: Option<&Header>,
        used_by_provider: Vec<&str>,
    ) {
        let mut used: HashSet<&str> = used_by_provider.into_iter().collect();
        for prompt in prompts {
            let PromptContent::Tts(template) = &prompt.content else {
                continue;
            };
            // One problem per placeholder name and prompt, at its first use, however often
            // the text repeats it: a problem per use made check quadratic in the text.
            let mut uses: Vec<(&str, Range<usize>, usize)> = Vec::new();
            let mut index: HashMap<&str, usize> = HashMap::new();
            for (name, span) in template.vars() {
                match index.get(name) {
                    Some(&i) => uses[i].2 += 1,
                    None => {
                        index.insert(name, uses.len());
                        uses.push((name, span.clone(), 1));
                    }
                }
            }
            for (name, span, count) in uses {
                used.insert(name);
                if vars.contains_key(name) {
                    continue;
                }
                let lacking: Vec<&Recipient> = recipients
                    .iter()
                    .filter(|r| r.vars.get(name).is_none())
                    .collect();
                let not_in_csv = csv.filter(|h| !h.has(name));
                if !lacking.is_empty()
                    || not_in_csv.is_some()
                    || (recipients.is_empty() && csv.is_none())
                {
                    // The template's spans are relative to the text; map them through the
                    // string as written in the file.
                    let written = raw_prompts
                        .iter()
                        .find(|e| e.span() == prompt.span)
                        .and_then(|e| e.get_ref().tts.as_ref());
                    let at = written.map_or(prompt.span.clone(), |tts| {
                        self.inner_span(tts, span.clone())
                    });
                    let times = if count > 1 {
                        format!(" (used {count} times in this prompt)")
                    } else {
                        String::new()
                    };
                    let mut problem = Problem::error(
                        "campaign::missing-var",
                        format!("`{{{name}}}` has no value{times}"),
                    )
                    .at(self.source, at, "no value for this placeholder");
                    for r in lacking.iter().take(MISSING_VAR_EXAMPLES) {
                        problem =
                            problem.note(r.span.clone(), format!("{} has no `{name}`", r.number));
                    }
                    let more = lacking.len().saturating_sub(MISSING_VAR_EXAMPLES);
                    let also = if more > 0 {
                        format!(" ({more} more recipients lack it too)")
                    } else {
                        String::new()
                    };
                    let column = not_in_csv
                        .map(|h| format!(", or add a `{name}` column to {}", h.shown()))
                        .unwrap_or_default();
                    problem = problem.help(format!(
                        "set `{name} = \"…\"` in [vars] for everyone, or in each recipient's vars{column}{also}"
                    ));
                    self.problems.push(problem);
                }
            }
        }
        // A prompt that failed validation may well be the one that used the var.
        let all_prompts_valid = prompts.len() == raw_prompts.len();
        for key in raw_vars.keys().filter(|_| all_prompts_valid) {
            if !used.contains(key.get_ref().as_str()) {
                self.problems.push(
                    Problem::warning(
                        "campaign::unused-var",
                        format!("var `{}` is not used by any prompt", key.get_ref()),
                    )
                    .at(self.source, key.span(), "unused")
                    .help("remove it, or use it in a prompt as {name}"),
                );
            }
        }
    }
}
