//! The values the arguments take that are not paths: output and log formats, actions by
//! name, durations and URLs, each read before any command runs.

use std::time::Duration;

use clap::ValueEnum;
use outdial::plan::Action;

/// How `listen` writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Lines for people.
    Text,
    /// JSON objects, one per line.
    Json,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text; diagnostics with source excerpts.
    Human,
    /// JSON Lines; the first line is a version record.
    Json,
    /// CSV on stdout (`query` and `report`): one row per recipient, with a header row.
    Csv,
    /// Markdown on stdout (`plan` and `diff` only): a short stable summary for a pull request
    /// comment.
    Markdown,
}

/// `--timeout` when not given (also what `resolve` takes send's settle time to follow from).
pub const DEFAULT_TIMEOUT: &str = "60s";

/// `500ms`, `2s`, `1.5s`, `1m30s` (jiff's friendly format, through the library's one reader).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    outdial::schedule::parse_duration(text)
        .ok_or_else(|| format!("\"{text}\" is not a duration like 500ms, 2s or 1m30s"))
}

/// An `http://` or `https://` URL with a host: anything else is a usage error before any
/// campaign is read or any request is made.
pub fn parse_url(text: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(text)
        .map_err(|e| format!("\"{text}\" is not a URL ({e}); give one like https://host/path"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "\"{text}\" is not an http:// or https:// URL with a host; give one like https://host/path"
        ));
    }
    Ok(text.to_owned())
}

/// The values of `compile --action`: [`Action`]s by name. (The variant docs are its help.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActionArg {
    /// Upload the campaign's audio, then send call batches (actions 1 then 0).
    Send,
    /// Upload the campaign's audio files (action 1, `save`).
    Sounds,
    /// Delete the campaign's audio files from the account (action 1, `delete`).
    SoundsDelete,
    /// Delete this campaign's calls not yet dialled, by call id (action 2).
    Delete,
    /// Query this campaign's calls by call id (action 3).
    Query,
    /// Query every call of the provider campaign (action 3 with an empty call id).
    QueryAll,
    /// Test the configuration (action 6).
    Ping,
    /// Pause pending calls (action 7).
    Pause,
    /// Un-pause paused calls (action 8).
    Resume,
}

impl From<ActionArg> for Action {
    fn from(arg: ActionArg) -> Self {
        match arg {
            ActionArg::Send => Action::Send,
            ActionArg::Sounds => Action::Sounds,
            ActionArg::SoundsDelete => Action::SoundsDelete,
            ActionArg::Delete => Action::Delete,
            ActionArg::Query => Action::Query,
            ActionArg::QueryAll => Action::QueryAll,
            ActionArg::Ping => Action::Ping,
            ActionArg::Pause => Action::Pause,
            ActionArg::Resume => Action::Resume,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Action::name` is what events, file names and the journal say; `compile --action` must
    /// accept exactly those names, each for its own action.
    #[test]
    fn action_values_are_the_action_names() {
        let values = ActionArg::value_variants();
        assert_eq!(values.len(), Action::ALL.len());
        for arg in values {
            let value = arg.to_possible_value().expect("every action is a value");
            assert_eq!(value.get_name(), Action::from(*arg).name());
        }
        for action in Action::ALL {
            let arg = ActionArg::from_str(action.name(), false).expect("accepted by clap");
            assert_eq!(Action::from(arg), action);
        }
    }

    #[test]
    fn endpoints_must_be_http_urls_with_a_host() {
        assert!(parse_url("http://127.0.0.1:8765/api").is_ok());
        assert!(parse_url("https://api.example.com/x").is_ok());
        for bad in [
            "not-a-url",
            "ftp://host/x",
            "http://",
            "127.0.0.1:8765",
            "mailto:a@b",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
