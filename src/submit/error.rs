//! Why a submission stopped, and what a person can do about it (the provider's advice, the
//! calls in doubt and how to settle them, the journal to resume from).

use std::io;
use std::path::Path;

use super::http::Failure;
use super::summary::{Change, InDoubtCall, SendSummary};
use crate::journal::JournalError;
use crate::plan::PostKind;
use crate::provider::{EncodeError as RenderError, Rejection};

/// The provider's own words after outdial's explanation, when it said any that the
/// explanation does not already hold.
fn said_by_provider(rejection: &Rejection) -> String {
    match rejection.provider_message.as_deref().map(str::trim) {
        Some(words) if !words.is_empty() && !rejection.message.contains(words) => {
            format!(" (the provider said: \"{words}\")")
        }
        _ => String::new(),
    }
}

/// Why a submission stopped.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The provider refused the post.
    #[error("post {seq} ({kind}) was rejected: {} {}: {}{}", .rejection.code_name, .rejection.code, .rejection.message, said_by_provider(.rejection))]
    Rejected {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
        /// The provider's code and what it means.
        rejection: Rejection,
    },
    /// The network failed after every retry. Re-running resumes.
    #[error("post {seq} ({kind}) failed: {failure}")]
    Transport {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
        /// The last failure.
        failure: Failure,
    },
    /// Calls were posted without a clear answer and the provider cannot be asked whether it
    /// holds them: they are in doubt and are not sent again. Everything else was sent.
    #[error(
        "{calls} calls are in doubt (the first at post {seq}): they were posted without a clear answer and the provider cannot be asked whether it holds them, so they are not sent again"
    )]
    InDoubt {
        /// Position in the plan of the first call in doubt.
        seq: usize,
        /// Calls in doubt.
        calls: usize,
        /// The calls in doubt, in plan order.
        list: Vec<InDoubtCall>,
        /// What the rest of the send did.
        summary: SendSummary,
    },
    /// The campaign changed after a partial send.
    #[error("the campaign changed after part of it was sent ({} posts differ)", .changes.len())]
    Changed {
        /// The posts that differ.
        changes: Vec<Change>,
        /// Call ids already at (or maybe at) the provider that the campaign no longer has.
        orphaned: usize,
        /// Call ids already at (or maybe at) the provider.
        taken: usize,
    },
    /// The journal could not be used.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A post could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A temporary file could not be written.
    #[error("cannot write a temporary file: {0}")]
    Io(#[from] io::Error),
    /// The plan could not be made (the contacts file changed since it was checked, say).
    #[error("{0}")]
    Plan(Box<crate::diagnostic::Problem>),
}

impl From<crate::converge::ConvergeError> for SubmitError {
    fn from(e: crate::converge::ConvergeError) -> Self {
        match e {
            crate::converge::ConvergeError::Plan(p) => SubmitError::Plan(p),
            crate::converge::ConvergeError::Render(e) => SubmitError::Render(e),
            crate::converge::ConvergeError::Journal(e) => SubmitError::Journal(e),
        }
    }
}

impl From<crate::diagnostic::Problem> for SubmitError {
    fn from(problem: crate::diagnostic::Problem) -> Self {
        SubmitError::Plan(Box::new(problem))
    }
}

impl From<Box<crate::diagnostic::Problem>> for SubmitError {
    fn from(problem: Box<crate::diagnostic::Problem>) -> Self {
        SubmitError::Plan(problem)
    }
}

impl SubmitError {
    /// Whether this is a refusal of the account or host, not of the post.
    pub fn is_refusal(&self) -> bool {
        matches!(self, SubmitError::Rejected { rejection, .. } if rejection.refusal)
    }

    /// The provider's own words, when it refused the post and said any.
    pub fn provider_message(&self) -> Option<&str> {
        match self {
            SubmitError::Rejected { rejection, .. } => rejection.provider_message.as_deref(),
            _ => None,
        }
    }

    /// What a person can do about this error. The provider's own advice comes with its
    /// [`Rejection`] (which setting of the account to change); calls in doubt are listed with
    /// the ways to settle them. `journal` is the journal a re-run resumes from, when the
    /// command keeps one; it is named in the advice to run again.
    pub fn help(&self, journal: Option<&Path>) -> String {
        let resume = journal
            .map(|p| format!(" (journal: {})", p.display()))
            .unwrap_or_default();
        match self {
            SubmitError::Rejected { rejection, .. } => match &rejection.help {
                Some(help) => help.clone(),
                None if rejection.refusal => {
                    "the provider account needs attention (see the message)".to_owned()
                }
                None => "fix the campaign (see `outdial compile` for the exact XML), then run the command again".to_owned(),
            },
            SubmitError::InDoubt { list, .. } => in_doubt_help(list, &resume),
            SubmitError::Transport { .. } => format!(
                "nothing accepted will be sent twice: run the same command again to resume{resume}"
            ),
            SubmitError::Changed {
                changes,
                orphaned,
                taken,
            } => {
                let list: Vec<String> = changes
                    .iter()
                    .take(10)
                    .map(|c| match &c.now {
                        Some(_) => format!("post {} differs", c.seq),
                        None => format!("post {} is no longer in the plan", c.seq),
                    })
                    .collect();
                format!(
                    "{} ({} {} of this campaign already at the provider or in doubt{}). Nothing \
                     was sent. Undo the edit, or send the change as a new campaign (new name), \
                     or pass --allow-changed to send only recipients never sent before — calls \
                     already placed keep their old content{resume}",
                    list.join(", "),
                    taken,
                    if *taken == 1 { "call id" } else { "call ids" },
                    if *orphaned > 0 {
                        format!(", {orphaned} no longer in the file")
                    } else {
                        String::new()
                    },
                )
            }
            SubmitError::Journal(JournalError::Store(_)) => format!(
                "the state store was lost mid-send: a post whose outcome it could not record is in \
                 doubt, never sent again on a guess. Run the command again once the store is \
                 reachable{resume}"
            ),
            SubmitError::Journal(_)
            | SubmitError::Render(_)
            | SubmitError::Io(_)
            | SubmitError::Plan(_) => "see the message".to_owned(),
        }
    }
}

/// How many calls in doubt [`SubmitError::help`] lists in full.
const IN_DOUBT_LISTED: usize = 50;

/// The help of a send that left calls in doubt: which, and how to settle them.
fn in_doubt_help(list: &[InDoubtCall], resume: &str) -> String {
    let mut text = String::from(
        "nothing was sent twice; every other call was sent. Look these calls up in the provider's own records:",
    );
    for c in list.iter().take(IN_DOUBT_LISTED) {
        text.push_str(&format!("\n  {} {}", c.number, c.label));
    }
    if list.len() > IN_DOUBT_LISTED {
        text.push_str(&format!("\n  … and {} more", list.len() - IN_DOUBT_LISTED));
    }
    text.push_str(
        "\nthen settle them: `outdial resolve FILE --sent ID…` (found there) / `--not-sent ID…` (not found), \
         or send them again regardless with `outdial send FILE --resend-in-doubt`",
    );
    text.push_str(resume);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Rejection;

    fn rejected(refusal: bool, help: Option<&str>) -> SubmitError {
        SubmitError::Rejected {
            seq: 1,
            kind: PostKind::Send,
            rejection: Rejection {
                code: "1".into(),
                code_name: "errorid",
                message: String::new(),
                refusal,
                help: help.map(str::to_owned),
                provider_message: None,
            },
        }
    }

    #[test]
    fn help_is_the_providers_advice_when_it_has_some() {
        assert_eq!(
            rejected(true, Some("register this IP")).help(None),
            "register this IP"
        );
        assert!(
            rejected(true, None)
                .help(None)
                .contains("account needs attention")
        );
        assert!(
            rejected(false, None)
                .help(None)
                .starts_with("fix the campaign")
        );
    }

    #[test]
    fn help_lists_calls_in_doubt_and_how_to_settle_them() {
        let list: Vec<InDoubtCall> = (0..52)
            .map(|i| InDoubtCall {
                seq: 1,
                callid: format!("c{i}"),
                number: format!("81855501{i:02}"),
                label: format!("label {i}"),
            })
            .collect();
        let err = SubmitError::InDoubt {
            seq: 1,
            calls: list.len(),
            list,
            summary: SendSummary::default(),
        };
        let help = err.help(Some(Path::new("j.jsonl")));
        assert!(help.contains("\n  8185550100 label 0\n"), "{help}");
        assert!(help.contains("… and 2 more"), "{help}");
        assert!(help.contains("outdial resolve FILE --sent ID…"), "{help}");
        assert!(help.contains("--not-sent ID…"), "{help}");
        assert!(
            help.contains("outdial send FILE --resend-in-doubt"),
            "{help}"
        );
        assert!(help.ends_with("(journal: j.jsonl)"), "{help}");
    }

    #[test]
    fn help_names_the_journal_to_resume_from() {
        let err = SubmitError::Transport {
            seq: 2,
            kind: PostKind::Send,
            failure: Failure {
                maybe_sent: false,
                message: "refused".into(),
                endpoint: "http://127.0.0.1:1/".into(),
            },
        };
        assert!(
            err.help(Some(Path::new("j.jsonl")))
                .ends_with("run the same command again to resume (journal: j.jsonl)")
        );
        let changed = SubmitError::Changed {
            changes: vec![
                Change {
                    seq: 1,
                    was: "a".into(),
                    now: Some("b".into()),
                },
                Change {
                    seq: 4,
                    was: "c".into(),
                    now: None,
                },
            ],
            orphaned: 2,
            taken: 1,
        };
        assert_eq!(
            changed.help(None),
            "post 1 differs, post 4 is no longer in the plan (1 call id of this campaign already \
             at the provider or in doubt, 2 no longer in the file). Nothing was sent. Undo the \
             edit, or send the change as a new campaign (new name), or pass --allow-changed to \
             send only recipients never sent before — calls already placed keep their old content"
        );
    }
}
