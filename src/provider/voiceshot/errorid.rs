//! VoiceShot's documented `errorid` table (API v4.5, codes 0–21).
//!
//! Replies carry a `comment` too, but callers should match on the number: the comment
//! texts are VoiceShot's own and may change (or carry typos), the numbers are the contract.

use crate::provider::Rejection;

/// One clear English sentence per documented code, indexed by errorid.
const TABLE: [&str; 22] = [
    "The post was well formed and received.",
    "The IP address this post came from is not registered with VoiceShot.",
    "The VoiceShot free trial for this account has ended.",
    "The XML document is malformed or missing.",
    "The post does not define an action.",
    "The menuid attribute is missing or misplaced.",
    "The callid attribute is missing or misplaced.",
    "VoiceShot could not parse the post (general parse error).",
    "A phone number is missing or misplaced.",
    "The callerid is missing, misplaced, or not exactly 10 numeric digits.",
    "The date and time is invalid.",
    "A promptid attribute is missing or misplaced.",
    "The TTS text is missing or misplaced.",
    "The filename attribute is missing or misplaced.",
    "A <prompt> element is missing or misplaced.",
    "A <prompts> element is missing or misplaced.",
    "A <phonenumber> element is missing or misplaced.",
    "A <phonenumbers> element is missing or misplaced.",
    "The <campaign> element is missing or misplaced.",
    "The menuid is invalid: no VoiceShot campaign exists for it.",
    "The file attributes are missing or incorrect.",
    "The WAV format is invalid.",
];

/// The documented meaning of `errorid`, or `None` for a code outside the table.
pub fn describe(errorid: u32) -> Option<&'static str> {
    TABLE.get(usize::try_from(errorid).ok()?).copied()
}

/// Whether `errorid` means VoiceShot refuses this account or host outright (1: IP not
/// registered, 2: free trial ended), as opposed to rejecting one post's content.
///
/// The CLI maps refusals to exit code 5 and other non-zero codes to exit code 3, because a
/// refusal is fixed in the VoiceShot account, not in the campaign file.
pub fn is_refusal(errorid: u32) -> bool {
    matches!(errorid, 1 | 2)
}

/// A reply's non-zero `errorid` as a provider-neutral rejection: the table's sentence (or
/// VoiceShot's own comment for an undocumented code), and what to do for refusals.
pub(crate) fn rejection(errorid: u32, comment: &str) -> Rejection {
    let message = describe(errorid)
        .map(str::to_owned)
        .unwrap_or_else(|| "an errorid VoiceShot does not document".to_owned());
    let help = match errorid {
        1 => Some("register this machine's public IP in VoiceShot: Campaign → Options → Developer → Registered IPs".to_string()),
        2 => Some("the VoiceShot account needs attention (see the message)".to_string()),
        _ => None,
    };
    Rejection {
        code: errorid.to_string(),
        code_name: "errorid",
        message,
        refusal: is_refusal(errorid),
        help,
        provider_message: Some(comment.trim())
            .filter(|c| !c.is_empty())
            .map(Into::into),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_a_sentence() {
        for code in 0..=21 {
            let text = describe(code).expect("documented code");
            assert!(text.ends_with('.'), "{code}: {text}");
        }
        assert_eq!(describe(22), None);
        assert_eq!(describe(u32::MAX), None);
        assert!(describe(1).unwrap().contains("not registered"));
        assert!(describe(21).unwrap().contains("WAV"));
    }

    #[test]
    fn only_registration_and_trial_are_refusals() {
        let refusals: Vec<u32> = (0..=25).filter(|&c| is_refusal(c)).collect();
        assert_eq!(refusals, [1, 2]);
    }
}
