//! What `listen` has done since it started, for Prometheus at `GET /metrics`: posts
//! received, stored, redelivered, unmatched and refused (by route and reason), and how long
//! the store took. Labels take only fixed words (a route's path or `other`, a reason's
//! name), never anything a client wrote, so a scan of random paths cannot grow the series.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The media type of the exposition [`Metrics::render`] writes.
pub(super) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A post's route.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ByRoute {
    route: &'static str,
}

/// A refusal's route and reason.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ByReason {
    route: &'static str,
    reason: &'static str,
}

/// The counters and the histogram, registered once.
pub(super) struct Metrics {
    registry: Registry,
    received: Family<ByRoute, Counter>,
    stored: Family<ByRoute, Counter>,
    duplicates: Family<ByRoute, Counter>,
    unmatched: Family<ByRoute, Counter>,
    refused: Family<ByReason, Counter>,
    store_seconds: Histogram,
}

impl Metrics {
    pub(super) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("outdial_listen");
        let received = Family::<ByRoute, Counter>::default();
        let stored = Family::<ByRoute, Counter>::default();
        let duplicates = Family::<ByRoute, Counter>::default();
        let unmatched = Family::<ByRoute, Counter>::default();
        let refused = Family::<ByReason, Counter>::default();
        // 0.5 ms to about 8 s: a local SQLite commit is a few milliseconds, a remote
        // PostgreSQL one tens; past seconds the store is failing.
        let store_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 15));
        registry.register(
            "posts_received",
            "Requests to a post route (before authentication)",
            received.clone(),
        );
        registry.register(
            "posts_stored",
            "Posts committed to the store and answered 200 (redeliveries and unmatched included)",
            stored.clone(),
        );
        registry.register(
            "posts_duplicate",
            "Posts recognised as a redelivery of one stored before (nothing changed)",
            duplicates.clone(),
        );
        registry.register(
            "posts_unmatched",
            "Posts kept as unmatched: they named no call of a served campaign",
            unmatched.clone(),
        );
        registry.register(
            "posts_refused",
            "Requests refused, by route and reason",
            refused.clone(),
        );
        registry.register(
            "store_seconds",
            "Time to commit one post to the store (its whole transaction)",
            store_seconds.clone(),
        );
        Metrics {
            registry,
            received,
            stored,
            duplicates,
            unmatched,
            refused,
            store_seconds,
        }
    }

    pub(super) fn received(&self, route: &'static str) {
        self.received.get_or_create(&ByRoute { route }).inc();
    }

    /// A post answered 200: `fresh` false for a redelivery.
    pub(super) fn stored(&self, route: &'static str, fresh: bool, unmatched: bool) {
        let label = ByRoute { route };
        self.stored.get_or_create(&label).inc();
        if !fresh {
            self.duplicates.get_or_create(&label).inc();
        }
        if unmatched {
            self.unmatched.get_or_create(&label).inc();
        }
    }

    pub(super) fn refused(&self, route: &'static str, reason: &'static str) {
        self.refused
            .get_or_create(&ByReason { route, reason })
            .inc();
    }

    pub(super) fn store_took(&self, took: Duration) {
        self.store_seconds.observe(took.as_secs_f64());
    }

    /// The Prometheus text exposition of every metric.
    pub(super) fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the sample line that starts with `series ` (name and labels).
    fn sample(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
    }

    #[test]
    fn counts_show_by_route_and_reason() {
        let m = Metrics::new();
        m.received("/voiceshot/summary");
        m.received("/voiceshot/summary");
        m.stored("/voiceshot/summary", true, false);
        m.stored("/voiceshot/summary", false, false);
        m.stored("/voipcomm/callback", true, true);
        m.refused("/voiceshot/summary", "unauthorized");
        m.store_took(Duration::from_millis(3));
        let text = m.render();
        let route = r#"{route="/voiceshot/summary"}"#;
        assert_eq!(
            sample(
                &text,
                &format!("outdial_listen_posts_received_total{route}")
            ),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            sample(&text, &format!("outdial_listen_posts_stored_total{route}")),
            Some(2.0)
        );
        assert_eq!(
            sample(
                &text,
                &format!("outdial_listen_posts_duplicate_total{route}")
            ),
            Some(1.0)
        );
        assert_eq!(
            sample(
                &text,
                r#"outdial_listen_posts_unmatched_total{route="/voipcomm/callback"}"#
            ),
            Some(1.0)
        );
        assert_eq!(
            sample(
                &text,
                r#"outdial_listen_posts_refused_total{route="/voiceshot/summary",reason="unauthorized"}"#
            ),
            Some(1.0)
        );
        assert_eq!(
            sample(&text, "outdial_listen_store_seconds_count"),
            Some(1.0)
        );
        assert_eq!(
            sample(&text, r#"outdial_listen_store_seconds_bucket{le="0.004"}"#),
            Some(1.0)
        );
        assert!(text.contains("# TYPE outdial_listen_store_seconds histogram"));
    }
}
