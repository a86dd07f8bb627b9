//! The parts of a campaign file voip-communications.net has no use for, reported as errors
//! with what to write instead.

use crate::campaign::check::Checker;
use crate::campaign::file::CampaignFile;

/// Parts of the campaign file this API has no use for: audio files (it plays URLs), stored
/// sounds, transfers on a prompt, extensions.
pub(super) fn not_for_this_api(file: &CampaignFile, c: &mut Checker<'_>) {
    for prompt in &file.prompts {
        let p = prompt.get_ref();
        if let Some(audio) = &p.audio {
            c.error(
                "voipcomm::audio-needs-url",
                "this audio prompt has no URL: voip-communications.net plays audio from a URL, it does not take uploads",
                audio.span(),
                "a local file with no URL",
                format!("publish the file, then in [voipcomm.answer] (or [voipcomm.machine]) set play_url = \"https://…\" and play_file = \"{}\" (checked before sending); remove this prompt", audio.get_ref()),
            );
        }
        if let Some(sound) = &p.sound {
            c.error(
                "voipcomm::no-stored-sounds",
                "voip-communications.net has no stored sound files to play by name",
                sound.span(),
                "not playable here",
                "give the file's URL as play_url in [voipcomm.answer] (or [voipcomm.machine]), and remove this prompt",
            );
        }
        if let Some(to) = &p.transferto {
            c.error(
                "voipcomm::transfer-on-prompt",
                "voip-communications.net bridges calls with [voipcomm.answer] dial_to, not from a prompt",
                to.span(),
                "not used by this provider",
                format!("set dial_to = \"{}\" in [voipcomm.answer] and remove transferto (and callerid) here", to.get_ref()),
            );
        }
    }
    for entry in &file.recipient {
        if let Some(ext) = &entry.get_ref().ext {
            c.error(
                "voipcomm::no-extensions",
                "voip-communications.net cannot dial an extension after connecting",
                ext.span(),
                "not supported by this provider",
                "remove ext, or call the extension's direct number",
            );
        }
    }
}
