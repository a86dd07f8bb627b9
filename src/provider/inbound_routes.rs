//! Every route a provider serves for what it posts back: the list `listen` serves.

use super::inbound::Route;
use super::voiceshot::inbound as voiceshot;
use super::voipcomm::inbound as voipcomm;

/// The routes, in the order `listen` adds them.
static ROUTES: [&Route; 3] = [&voiceshot::SUMMARY, &voiceshot::EVENTS, &voipcomm::CALLBACK];

/// Every provider's inbound routes.
pub fn routes() -> &'static [&'static Route] {
    &ROUTES
}
