//! Every route a provider serves for what it posts back: the list `listen` serves.

use super::inbound::Route;
use super::voiceshot::{events, summary};
use super::voipcomm::callback;

/// The routes, in the order `listen` adds them.
static ROUTES: [&Route; 3] = [&summary::ROUTE, &events::ROUTE, &callback::ROUTE];

/// Every provider's inbound routes.
pub fn routes() -> &'static [&'static Route] {
    &ROUTES
}
