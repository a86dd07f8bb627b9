//! `query`: the campaign's calls looked up post by post, each joined to its recipient.

use super::error::SubmitError;
use super::event::{CallReport, Event, PostStatus};
use super::submitter::Submitter;
use crate::plan::{self, Action, PostKind};
use crate::provider::{CallResult, Reach};

impl Submitter<'_> {
    /// Queries this campaign's call ids post by post and hands each post's results, joined to
    /// its recipients in order, to `each`: one post's results are held at a time, whatever
    /// the campaign's size.
    pub fn query(
        &self,
        on: &mut dyn FnMut(Event),
        each: &mut dyn FnMut(Vec<CallReport>),
    ) -> Result<(), SubmitError> {
        for post in plan::posts(self.campaign, Action::Query) {
            let post = post?;
            let recipients = post.body.recipients();
            let mut out = Vec::with_capacity(recipients.len());
            let calls = self.query_callids(post.seq, recipients, on)?;
            on(Event::Post {
                action: Action::Query,
                seq: post.seq,
                kind: PostKind::Query,
                numbers: recipients.len(),
                sent: recipients.len(),
                status: PostStatus::Accepted,
                endpoint: None,
            });
            // The last result for a call id wins: a re-posted call id replaces the earlier one.
            let by_id: std::collections::HashMap<&str, &CallResult> =
                calls.iter().map(|c| (c.callid.as_str(), c)).collect();
            let provider = self.campaign.provider();
            for r in recipients {
                out.push(match by_id.get(r.callid.as_str()) {
                    Some(c) => CallReport {
                        number: r.number.to_string(),
                        callid: r.callid.clone(),
                        result: provider.reach(c),
                        status: c.status.clone(),
                        comment: c.comment.clone(),
                        dateandtime: c.dateandtime.clone(),
                        duration: c.duration,
                        keypresses: c.keypresses.clone(),
                        responses: Default::default(),
                        attempts: None,
                        not_sent_by_outdial: false,
                    },
                    None => CallReport {
                        number: r.number.to_string(),
                        callid: r.callid.clone(),
                        result: Reach::NotFound,
                        status: String::new(),
                        comment: String::new(),
                        dateandtime: String::new(),
                        duration: None,
                        keypresses: Vec::new(),
                        responses: Default::default(),
                        attempts: None,
                        not_sent_by_outdial: false,
                    },
                });
            }
            each(out);
        }
        Ok(())
    }
}
