//! VoiceShot as a campaign configures it: the validated settings every post is written
//! from, and the documented endpoints.

use jiff::tz::TimeZone;

/// The documented primary endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://api.voiceshot.com/ivrapi.asp";
/// The documented fallback, tried only after the primary fails.
pub const DEFAULT_FALLBACK: &str = "https://apiproxy.voiceshot.com/ivrapi.asp";

/// `[voiceshot]`, validated: the provider as a campaign configures it.
#[derive(Debug, Clone)]
pub struct VoiceShot {
    /// `N-N`.
    pub menuid: String,
    /// Default caller ID, 10 digits.
    pub callerid: Option<String>,
    /// Numbers per post.
    pub batch_size: usize,
    /// Largest WAV an `audio` prompt may upload.
    pub max_upload_bytes: u64,
    /// Zone `dateandtime` is written in.
    pub account_zone: Option<TimeZone>,
    /// Where posts go.
    pub endpoint: String,
    /// Where posts go when the endpoint cannot be reached.
    pub fallback_endpoint: String,
    /// Where `outdial listen` receives the Call Summaries (set in VoiceShot's designer).
    pub summary_url: Option<String>,
}
