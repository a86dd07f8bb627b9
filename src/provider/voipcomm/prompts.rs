//! The `[[prompt]]` entries as voip-communications.net reads them: a prompt is sent by its
//! `tts` text, named by id in `[voipcomm.answer]` or `[voipcomm.machine]`; each id named is
//! checked, and a `tts` prompt no option names is reported.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use crate::campaign::check::Checker;
use crate::campaign::file::CampaignFile;

/// The `[[prompt]]` entries as this provider sees them: ids of prompts with `tts`.
pub(super) struct PromptIds {
    pub(super) tts: HashMap<u32, Range<usize>>,
    pub(super) used: Vec<u32>,
}

/// The ids of the prompts with `tts`; prompts this API cannot play are reported by
/// [`super::unsupported`].
pub(super) fn prompt_ids(file: &CampaignFile) -> PromptIds {
    let tts = file
        .prompts
        .iter()
        .filter_map(|p| {
            let entry = p.get_ref();
            let id = entry.id.as_ref()?;
            entry.tts.as_ref()?;
            Some((*id.get_ref(), id.span()))
        })
        .collect();
    PromptIds {
        tts,
        used: Vec::new(),
    }
}

/// Whether `id` names a `[[prompt]]` with `tts`; reports it when not.
pub(super) fn prompt_ref(
    c: &mut Checker<'_>,
    prompts: &mut PromptIds,
    id: &Spanned<u32>,
    key: &str,
) -> bool {
    if prompts.tts.contains_key(id.get_ref()) {
        prompts.used.push(*id.get_ref());
        return true;
    }
    let ids: Vec<String> = {
        let mut ids: Vec<u32> = prompts.tts.keys().copied().collect();
        ids.sort_unstable();
        ids.iter().map(u32::to_string).collect()
    };
    let known = if ids.is_empty() {
        "there is none: add [[prompt]] id = N, tts = \"…\"".to_string()
    } else {
        format!("prompts with tts: {}", ids.join(", "))
    };
    c.error(
        "voipcomm::unknown-prompt",
        format!(
            "`{key}` names prompt {}, but no [[prompt]] with that id has tts",
            id.get_ref()
        ),
        id.span(),
        "no such tts prompt",
        format!("give the id of a [[prompt]] with tts ({known})"),
    );
    false
}

/// Reports each `tts` prompt that no option names: it would never be sent.
pub(super) fn unused_prompts(c: &mut Checker<'_>, prompts: &PromptIds) {
    let mut unused: Vec<(&u32, &Range<usize>)> = prompts
        .tts
        .iter()
        .filter(|(id, _)| !prompts.used.contains(id))
        .collect();
    unused.sort_by_key(|(id, _)| **id);
    for (id, span) in unused {
        c.error(
            "voipcomm::unused-prompt",
            format!("prompt {id} is not used by any voip-communications.net option"),
            span.clone(),
            "never sent",
            format!("name it in [voipcomm.answer] (speak = {id} or tts = {id}) or [voipcomm.machine] (speak, tts or sms), or remove it"),
        );
    }
}
