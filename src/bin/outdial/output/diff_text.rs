//! A `diff`'s differences in words: one line per difference for people, and the pieces the
//! Markdown comment builds its sections from.

use outdial::diff::{
    Area, Change, Op, PromptChange, PromptPlays, PromptSide, RecipientChange, SettingChange,
};
use outdial::report::Diffed;

use super::phrases::plural;

pub(super) fn op_word(op: Op) -> &'static str {
    match op {
        Op::Added => "added",
        Op::Removed => "removed",
        Op::Changed => "changed",
    }
}

fn op_mark(op: Op) -> char {
    match op {
        Op::Added => '+',
        Op::Removed => '-',
        Op::Changed => '~',
    }
}

pub(super) fn area_name(area: Area) -> &'static str {
    match area {
        Area::Campaign => "campaign",
        Area::Schedule => "schedule",
        Area::CallingRules => "calling rules",
        Area::Vars => "vars",
        Area::Recipients => "recipients",
        Area::Provider => "provider",
    }
}

/// `old → new`, `new` or `old` as TOML.
pub(super) fn setting_values(s: &SettingChange) -> String {
    match (&s.old, &s.new) {
        (Some(old), Some(new)) => format!("{old} → {new}"),
        (None, Some(v)) | (Some(v), None) => v.clone(),
        (None, None) => String::new(),
    }
}

fn prompt_side(p: &PromptSide) -> String {
    let mut text = match &p.plays {
        PromptPlays::Tts(text) => format!("says \"{text}\""),
        PromptPlays::Audio(name) => format!("plays the local file {name}"),
        PromptPlays::Sound(name) => format!("plays {name} from the account"),
    };
    if let Some(to) = &p.transferto {
        text.push_str(&format!(", transfers to {to}"));
    }
    if let Some(id) = &p.callerid {
        text.push_str(&format!(", caller ID {id}"));
    }
    text
}

pub(super) fn prompt_values(p: &PromptChange) -> String {
    match (&p.old, &p.new) {
        (Some(old), Some(new)) => format!("{} → {}", prompt_side(old), prompt_side(new)),
        (None, Some(side)) | (Some(side), None) => prompt_side(side),
        (None, None) => String::new(),
    }
}

fn when(at: &Option<String>) -> &str {
    at.as_deref().unwrap_or("now")
}

/// What is new or different about a recipient's call, after its number (`: at … ; …`).
pub(super) fn recipient_detail(r: &RecipientChange) -> String {
    let mut parts = Vec::new();
    match (&r.old, &r.new) {
        (Some(old), Some(new)) => {
            if old.at != new.at {
                parts.push(format!("at {} → {}", when(&old.at), when(&new.at)));
            }
            if old.callerid != new.callerid {
                parts.push(format!(
                    "caller ID {} → {}",
                    old.callerid.as_deref().unwrap_or("the campaign's"),
                    new.callerid.as_deref().unwrap_or("the campaign's")
                ));
            }
            if old.ext != new.ext {
                parts.push(format!(
                    "extension {} → {}",
                    old.ext.as_deref().unwrap_or("none"),
                    new.ext.as_deref().unwrap_or("none")
                ));
            }
            let ids: std::collections::BTreeSet<&u32> =
                old.spoken.keys().chain(new.spoken.keys()).collect();
            for id in ids {
                let (o, n) = (old.spoken.get(id), new.spoken.get(id));
                if o != n {
                    parts.push(format!(
                        "prompt {id} says {} → {}",
                        o.map_or("nothing".to_owned(), |t| format!("\"{t}\"")),
                        n.map_or("nothing".to_owned(), |t| format!("\"{t}\""))
                    ));
                }
            }
        }
        (None, Some(side)) => {
            parts.push(format!("at {}", when(&side.at)));
            if let Some(id) = &side.callerid {
                parts.push(format!("caller ID {id}"));
            }
            for (id, text) in &side.spoken {
                parts.push(format!("prompt {id} says \"{text}\""));
            }
        }
        _ => {}
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join("; "))
    }
}

/// One difference, for people: `+`, `-` or `~`, then what.
pub(super) fn change_text(change: &Change) -> String {
    match change {
        Change::Setting(s) => format!(
            "{} setting {} ({}): {}",
            op_mark(s.change),
            s.key,
            area_name(s.area),
            setting_values(s)
        ),
        Change::Prompt(p) => format!(
            "{} prompt {}: {}",
            op_mark(p.change),
            p.id,
            prompt_values(p)
        ),
        Change::Recipient(r) => format!(
            "{} recipient {} (call id {}){}",
            op_mark(r.change),
            r.number,
            r.callid,
            recipient_detail(r)
        ),
    }
}

/// The last line of a `diff`, for people.
pub(super) fn diffed_text(d: &Diffed<'_>) -> String {
    let mut t = diffed_counts(d);
    if let Some(send) = d.send {
        t.push_str(&format!(
            "\nsend would: {send} (the journal's calls against the new version)"
        ));
    }
    t
}

fn diffed_counts(d: &Diffed<'_>) -> String {
    let c = d.counts;
    if !d.differs {
        return format!(
            "{} → {}: no differences ({})",
            d.old,
            d.new,
            plural(c.unchanged as usize, "recipient", "recipients")
        );
    }
    format!(
        "{} → {}: {}, {}, recipients {} added, {} removed, {} changed, {} unchanged",
        d.old,
        d.new,
        plural(c.settings as usize, "setting", "settings"),
        plural(c.prompts as usize, "prompt", "prompts"),
        c.added,
        c.removed,
        c.changed,
        c.unchanged
    )
}
