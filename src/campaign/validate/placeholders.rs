//! Placeholders: every `{name}` of every prompt has a value for every recipient, and every
//! `[vars]` entry is used.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;

use super::super::check::Checker;
use super::super::contacts::Header;
use super::super::file::PromptEntry;
use super::super::model::{Prompt, PromptContent, Recipient};
use crate::diagnostic::Problem;
use crate::template::Template;

/// At most this many recipients are named for one missing placeholder; the rest are counted.
const MISSING_VAR_EXAMPLES: usize = 3;

/// `[vars]` as validated, and as written (with spans).
pub(super) type VarsAsReadAndWritten<'a> = (
    &'a BTreeMap<String, String>,
    &'a BTreeMap<Spanned<String>, Spanned<String>>,
);

impl Checker<'_> {
    /// Every placeholder of every prompt must have a value for every recipient. (Vars the
    /// provider's settings use are not reported unused.)
    pub(super) fn placeholders(
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
            for (name, span, count) in placeholder_uses(template) {
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
                    let at = self.written_span(prompt, raw_prompts, span);
                    let problem = self.missing_var(at, name, count, &lacking, not_in_csv);
                    self.problems.push(problem);
                }
            }
        }
        // A prompt that failed validation may well be the one that used the var.
        let all_prompts_valid = prompts.len() == raw_prompts.len();
        self.unused_vars(raw_vars, &used, all_prompts_valid);
    }

    /// Where a placeholder stands in the file: the template's spans are relative to the
    /// text; map them through the string as written in the file.
    fn written_span(
        &self,
        prompt: &Prompt,
        raw_prompts: &[Spanned<PromptEntry>],
        span: Range<usize>,
    ) -> Range<usize> {
        let written = raw_prompts
            .iter()
            .find(|e| e.span() == prompt.span)
            .and_then(|e| e.get_ref().tts.as_ref());
        written.map_or(prompt.span.clone(), |tts| self.inner_span(tts, span))
    }

    /// The problem for a placeholder with no value, naming a few of the recipients lacking it.
    fn missing_var(
        &self,
        at: Range<usize>,
        name: &str,
        count: usize,
        lacking: &[&Recipient],
        not_in_csv: Option<&Header>,
    ) -> Problem {
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
            problem = problem.note(r.span.clone(), format!("{} has no `{name}`", r.number));
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
        problem.help(format!(
            "set `{name} = \"…\"` in [vars] for everyone, or in each recipient's vars{column}{also}"
        ))
    }

    /// Warns about each `[vars]` entry no prompt (and no provider setting) uses.
    fn unused_vars(
        &mut self,
        raw_vars: &BTreeMap<Spanned<String>, Spanned<String>>,
        used: &HashSet<&str>,
        all_prompts_valid: bool,
    ) {
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

/// Each placeholder name of a template once, with its first use and how often it is used.
/// One problem per placeholder name and prompt, at its first use, however often the text
/// repeats it: a problem per use made check quadratic in the text.
fn placeholder_uses(template: &Template) -> Vec<(&str, Range<usize>, usize)> {
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
    uses
}
