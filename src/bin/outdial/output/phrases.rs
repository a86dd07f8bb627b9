//! Phrases the text formats share (human text and Markdown): a count with its noun, text on
//! one line, a plan's prompts as they will be spoken.

use outdial::report::{PlanReport, Plays};

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Text on one line, as written otherwise.
pub(super) fn one_line(text: &str) -> String {
    text.replace(['\n', '\r', '\t'], " ")
}

/// Each prompt of a plan in a phrase ("1 says: …"), with its filled example if it has one;
/// `text` escapes what the campaign wrote and `id` shows a prompt id, for Markdown or people.
pub(super) fn prompt_lines(
    plan: &PlanReport<'_>,
    text: fn(&str) -> String,
    id: fn(u32) -> String,
) -> Vec<(String, Option<String>)> {
    plan.prompts
        .iter()
        .map(|prompt| {
            let id = id(prompt.id);
            let line = match &prompt.plays {
                Plays::Text(words) => format!("{id} says: {}", text(words)),
                Plays::Audio(path) => {
                    format!("{id} plays the local file {} (uploaded first)", text(path))
                }
                Plays::Sound(name) => format!("{id} plays {} from the account", text(name)),
            };
            let example = prompt.example.as_ref().map(|e| {
                format!(
                    "for {} (call id {}): {}",
                    e.number,
                    text(&e.callid),
                    text(&e.text)
                )
            });
            (line, example)
        })
        .collect()
}
