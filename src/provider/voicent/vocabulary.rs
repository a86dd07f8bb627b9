//! The words outdial recognises in the gateway's answers, and where each reading comes from.
//!
//! Anything not in these tables is not guessed at: a call-request page without a readable
//! reqId leaves the call *in doubt* (never re-posted on its own), a status word not listed
//! here is [`Reach::Unknown`]. docs/guide/provider-answers.md shows the same tables.

use crate::provider::Reach;

/// Where a reading comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A seed document (`/seeds/00N_*.txt`), named.
    Seed(&'static str),
    /// A documented example or the vendor's own pages, as the research note quotes them.
    Documented(&'static str),
    /// outdial's own choice, with why.
    Ours(&'static str),
}

/// The main status word of a status record (its third field), read after trimming and
/// without regard to case.
pub const STATUS_WORDS: &[(&str, Reach, Source)] = &[
    (
        "made",
        Reach::Reached,
        Source::Seed("002: search ^made^ for calls made successfully"),
    ),
    (
        "failed",
        Reach::NotReached,
        Source::Seed("002: search ^failed^ for calls failed"),
    ),
    (
        "retry",
        Reach::Pending,
        Source::Documented(
            "KB \"call status string\": main status retry; SDKs: \"Call Will Retry\"",
        ),
    ),
    (
        "pending",
        Reach::Pending,
        Source::Documented("KB \"call status string\": main status pending"),
    ),
];

/// Reasons (the sixth field of a made call) that say a machine took the message.
pub const MACHINE_REASONS: &[(&str, Source)] = &[
    (
        "Message left on answering machine",
        Source::Documented("KB \"call status string\"; observed reply"),
    ),
    (
        "Answering machine no beep detected",
        Source::Documented("KB \"call status string\""),
    ),
    (
        "Answering machine force disconnect",
        Source::Documented("KB \"call status string\""),
    ),
];

/// Pages that refuse a call request outright (nothing scheduled), matched as a phrase
/// without regard to case. The real gateway's error page is undocumented, so only the
/// stand-in's wording is here: any other page without a reqId leaves the call in doubt.
pub const REFUSALS: &[(&str, Source)] = &[(
    "Invalid call request",
    Source::Ours("the sandbox's refusal page; the gateway's own is undocumented"),
)];

/// How a call-request page names its reqId. Read leniently: the word `reqid` in any case,
/// `=` or `:`, then digits, in brackets or not; the same id repeated is one id.
pub const REQID_FORMS: &[(&str, Source)] = &[
    (
        "[ReqId=135798468]",
        Source::Seed("002: search the string pattern [ReqId=<reqId>]"),
    ),
    (
        "[reqid=135798468]",
        Source::Ours("another case names the same id"),
    ),
    (
        "ReqId=135798468",
        Source::Ours("without brackets the id is still unambiguous"),
    ),
];

/// The reading of a status word, or `Unknown` for one not listed.
pub fn status_reach(word: &str) -> Reach {
    let word = word.trim();
    STATUS_WORDS
        .iter()
        .find(|(w, _, _)| w.eq_ignore_ascii_case(word))
        .map_or(Reach::Unknown, |(_, reach, _)| *reach)
}

/// Who answered a made call, by its reason; `None` when the reason does not say.
pub fn answered_by(reason: &str) -> Option<&'static str> {
    let reason = reason.trim();
    // "Call succeeded" does not say whether a person or a machine listened: no reading.
    MACHINE_REASONS
        .iter()
        .any(|(r, _)| r.eq_ignore_ascii_case(reason))
        .then_some("machine")
}

/// The recognised refusal phrase `text` holds, if any.
pub fn refusal_in(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    REFUSALS
        .iter()
        .map(|(phrase, _)| *phrase)
        .find(|phrase| lower.contains(&phrase.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_read_in_any_case_and_unknown_ones_stay_unknown() {
        assert_eq!(status_reach("made"), Reach::Reached);
        assert_eq!(status_reach(" MADE "), Reach::Reached);
        assert_eq!(status_reach("Failed"), Reach::NotReached);
        assert_eq!(status_reach("retry"), Reach::Pending);
        assert_eq!(status_reach("pending"), Reach::Pending);
        for word in ["", "cancelled", "gemacht", "made failed"] {
            assert_eq!(status_reach(word), Reach::Unknown, "{word:?}");
        }
    }

    #[test]
    fn reasons_say_who_answered() {
        assert_eq!(
            answered_by("Message left on answering machine"),
            Some("machine")
        );
        assert_eq!(
            answered_by(" answering machine no beep detected"),
            Some("machine")
        );
        assert_eq!(answered_by("Call succeeded"), None);
        assert_eq!(answered_by("Line Busy"), None);
    }
}
