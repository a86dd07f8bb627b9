//! What a request to a provider is besides its body: the HTTP method and head, and why a post
//! could not be encoded.

/// The HTTP method of a request. Every documented request is a POST; an undocumented one
/// (voip-communications.net's scheduled-call list and delete) may be configured as a GET,
/// whose parameters then travel in the query string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// The body is sent as the request's body.
    #[default]
    Post,
    /// The body (form-encoded parameters) is appended to the URL's query; nothing is sent
    /// as a body.
    Get,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Get => "GET",
        }
    }
}

/// What a request carries besides its body: content type and headers. The method is POST
/// unless a provider's by-id or list request says otherwise (see [`Method`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHead {
    /// The `Content-Type` of the body.
    pub content_type: &'static str,
    /// Extra headers (authentication, say), name then value. Values may be secret: never
    /// print them.
    pub headers: Vec<(&'static str, String)>,
}

/// Why a post could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// Writing the output failed.
    #[error("writing the post failed: {0}")]
    Io(#[from] std::io::Error),
    /// A sound file could not be read while encoding it.
    #[error("cannot read {path}: {source}")]
    Sound {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A template placeholder had no value (validation rules this out; kept for safety).
    #[error("`{{{0}}}` has no value for {1}")]
    MissingVar(String, String),
    /// The provider cannot do this.
    #[error("{0}")]
    Unsupported(String),
}
