//! `[[on_keypress]]`: the Call Commands `outdial listen` answers keypress events with.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;

use super::super::check::Checker;
use super::super::file::{KeypressEntry, PromptEntry};
use super::super::model::KeypressRule;
use super::super::rules::ProviderRules;
use crate::diagnostic::Problem;
use crate::provider::name::ProviderName;

impl Checker<'_> {
    /// The `[[on_keypress]]` rules: each names a prompt of the file, keys VoiceShot can
    /// report, and something to do, moving the call at most one way.
    pub(super) fn keypress_rules(
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
            if !self.provider.takes_call_commands() {
                self.rule_for_other_provider(entry.span());
                continue;
            }
            if let Some(rule) = self.keypress_rule(entry, &prompt_ids, provider, &mut seen) {
                rules.push(rule);
            }
        }
        rules
    }

    /// Reports a rule in a campaign whose provider posts no Call Events.
    fn rule_for_other_provider(&mut self, span: Range<usize>) {
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
            span,
            format!("a {takers}-only rule"),
            format!("remove the [[on_keypress]] rules, or send the campaign through {takers}"),
        );
    }

    /// Checks one rule, reporting every problem in it; the rule when it has none.
    /// `seen` holds the first rule of each (prompt, key) pair.
    fn keypress_rule(
        &mut self,
        entry: &Spanned<KeypressEntry>,
        prompt_ids: &HashSet<u32>,
        provider: Option<&dyn ProviderRules>,
        seen: &mut HashMap<(u32, String), Range<usize>>,
    ) -> Option<KeypressRule> {
        let span = entry.span();
        let e = entry.get_ref();
        let mut ok = self.rule_prompts_exist(e, prompt_ids);
        ok &= self.rule_keys_valid(e);
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
        ok &= self.rule_sounds_valid(e, provider);
        ok &= self.rule_acts_once(e, &span);
        let (Some(prompt), Some(key)) = (&e.prompt, &e.key) else {
            return None;
        };
        let pair = (*prompt.get_ref(), key.get_ref().clone());
        ok &= self.rule_first_for_key(seen, &pair, &span);
        ok.then(|| KeypressRule {
            prompt: pair.0,
            key: pair.1,
            goto: e.goto.as_ref().map(|g| *g.get_ref()),
            tts: e.tts.as_ref().map(|t| t.get_ref().clone()),
            filename: e.filename.as_ref().map(|f| f.get_ref().clone()),
            transferto: transferto.map(|n| n.as_str().to_owned()),
            callerid,
            dtmf: e.dtmf.as_ref().map(|d| d.get_ref().clone()),
        })
    }

    /// Whether the rule's `prompt` and `goto` both name a `[[prompt]]` of the file.
    fn rule_prompts_exist(&mut self, e: &KeypressEntry, prompt_ids: &HashSet<u32>) -> bool {
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
        ok
    }

    /// Whether the rule's `key` and `dtmf` are sequences of phone keys.
    fn rule_keys_valid(&mut self, e: &KeypressEntry) -> bool {
        let mut ok = true;
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
        ok
    }

    /// Whether what the rule plays (`tts`, `filename`) can be played.
    fn rule_sounds_valid(
        &mut self,
        e: &KeypressEntry,
        provider: Option<&dyn ProviderRules>,
    ) -> bool {
        let mut ok = true;
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
        ok
    }

    /// Whether the rule does something and moves the call at most one way.
    fn rule_acts_once(&mut self, e: &KeypressEntry, span: &Range<usize>) -> bool {
        let mut ok = true;
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
        ok
    }

    /// Whether the rule is the first for its (prompt, key) pair; records it in `seen` if so.
    fn rule_first_for_key(
        &mut self,
        seen: &mut HashMap<(u32, String), Range<usize>>,
        pair: &(u32, String),
        span: &Range<usize>,
    ) -> bool {
        if let Some(first) = seen.get(pair) {
            self.problems.push(
                Problem::error(
                    "campaign::duplicate-rule",
                    format!("a second rule for key \"{}\" at prompt {}", pair.1, pair.0),
                )
                .at(self.source, span.clone(), "never runs")
                .note(first.clone(), "this rule answers first")
                .help("merge the two rules, or remove one"),
            );
            false
        } else {
            seen.insert(pair.clone(), span.clone());
            true
        }
    }
}
