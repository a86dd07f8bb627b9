//! The status words outdial recognises in VoiceShot's Call Query results, and where each
//! reading comes from.
//!
//! A word is read after trimming, without regard to case, with runs of spaces as one
//! (`in  progress ` is `In Progress`). A word not in [`STATUS_WORDS`] is
//! [`Reach::Unknown`]: kept with its text, never "not reached" (which would put the person
//! on the list to call again). docs/guide/provider-answers.md shows the same table.

use crate::provider::Reach;

/// Where a reading comes from.
pub type Source = &'static str;

/// Call Query `status` words and what each means.
pub const STATUS_WORDS: &[(&str, Reach, Source)] = &[
    (
        "Successful",
        Reach::Reached,
        "documented: the only status in VoiceShot's examples (Call Summary, Call Query)",
    ),
    (
        "Success",
        Reach::Reached,
        "our choice: the same word, shortened",
    ),
    (
        "Unsuccessful",
        Reach::NotReached,
        "our choice: a client VoiceShot lists counts every other final status so; the sandbox's word",
    ),
    (
        "",
        Reach::Pending,
        "our choice: a call VoiceShot holds but has not dialled yet carries no status",
    ),
    ("Pending", Reach::Pending, "our choice: not yet dialled"),
    ("Queued", Reach::Pending, "our choice: not yet dialled"),
    ("Scheduled", Reach::Pending, "our choice: not yet dialled"),
    (
        "Paused",
        Reach::Pending,
        "our choice: the campaign is paused (action 7)",
    ),
    (
        "In Progress",
        Reach::Pending,
        "our choice: the call is still running, its result is not in yet",
    ),
    (
        "Retry",
        Reach::Pending,
        "our choice: VoiceShot will dial again, the call is not over",
    ),
];

/// `word` trimmed, lower case, with runs of whitespace as one space.
fn normal(word: &str) -> String {
    word.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

/// The reading of a Call Query status, or `Unknown` for a word not listed.
pub fn status_reach(word: &str) -> Reach {
    let word = normal(word);
    STATUS_WORDS
        .iter()
        .find(|(w, _, _)| w.eq_ignore_ascii_case(&word))
        .map_or(Reach::Unknown, |(_, reach, _)| *reach)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_words_read_in_any_case_and_with_stray_spaces() {
        assert_eq!(status_reach("Successful"), Reach::Reached);
        assert_eq!(status_reach(" successful  "), Reach::Reached);
        assert_eq!(status_reach("SUCCESSFUL"), Reach::Reached);
        assert_eq!(status_reach("Unsuccessful "), Reach::NotReached);
        assert_eq!(status_reach("In Progress"), Reach::Pending);
        assert_eq!(status_reach(" in   progress "), Reach::Pending);
        assert_eq!(status_reach("Retry"), Reach::Pending);
        assert_eq!(status_reach("RETRY"), Reach::Pending);
        assert_eq!(status_reach(""), Reach::Pending);
        assert_eq!(status_reach("  "), Reach::Pending);
        assert_eq!(status_reach("paused"), Reach::Pending);
    }

    #[test]
    fn unknown_words_are_unknown_never_not_reached() {
        for word in [
            "Busy",
            "Failed",
            "Erfolgreich",
            "Successful!",
            "InProgress",
            "?",
        ] {
            assert_eq!(status_reach(word), Reach::Unknown, "{word:?}");
        }
    }
}
