//! `query --all`: one lookup of every call the provider holds for the campaign (VoiceShot's
//! Call Query with `callid=""`), calls placed outside outdial included.

use super::error::SubmitError;
use super::event::{CallReport, Event, PostStatus};
use super::submitter::Submitter;
use crate::journal::JournalState;
use crate::plan::{Action, PostKind};
use crate::provider::CallResult;

impl Submitter<'_> {
    /// Asks the provider for every call of the campaign and hands them to `each`, each
    /// marked when the journal does not know it (not sent by outdial).
    pub fn query_all(
        &self,
        journal: &JournalState,
        on: &mut dyn FnMut(Event),
        each: &mut dyn FnMut(Vec<CallReport>),
    ) -> Result<(), SubmitError> {
        let calls = self.lookup(1, crate::plan::PostBody::QueryAll, on)?;
        on(Event::Post {
            action: Action::QueryAll,
            seq: 1,
            kind: PostKind::Query,
            numbers: calls.len(),
            sent: 0,
            status: PostStatus::Accepted,
            endpoint: None,
        });
        let provider = self.campaign.provider();
        let reports = calls
            .into_iter()
            .map(|c: CallResult| CallReport {
                not_sent_by_outdial: !journal.maybe_taken(&c.callid, &c.number),
                result: provider.reach(&c),
                number: c.number,
                callid: c.callid,
                status: c.status,
                comment: c.comment,
                dateandtime: c.dateandtime,
                duration: c.duration,
                keypresses: c.keypresses,
                responses: Default::default(),
                attempts: None,
            })
            .collect();
        each(reports);
        Ok(())
    }
}
