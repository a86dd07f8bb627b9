//! `[[prompt]]`: what each prompt plays (text, an uploaded file, a stored sound), its
//! transfer, and the sound files to upload.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::super::check::Checker;
use super::super::file::PromptEntry;
use super::super::model::{Prompt, PromptContent, Sound};
use super::super::rules::ProviderRules;
use crate::diagnostic::Problem;
use crate::template::Template;
use crate::{audio, xmltext};

impl Checker<'_> {
    pub(super) fn prompts(
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

    pub(super) fn tts(&mut self, text: &Spanned<String>) -> Option<PromptContent> {
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

    pub(super) fn audio(
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

    pub(super) fn sound_name_text(
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
}
