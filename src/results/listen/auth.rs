//! Who may post to `listen`: HTTP Basic credentials, or a secret token as the route's last
//! segment (for providers whose callback URL cannot carry credentials), or, only when asked
//! for in so many words, anyone.

use axum::http::{HeaderMap, header};
use base64::Engine;

/// Shortest token accepted: 128 bits of base64url or hex are 22 or 32 characters.
pub const MIN_TOKEN_LEN: usize = 22;

/// HTTP Basic credentials a post must carry.
#[derive(Clone)]
pub struct BasicAuth {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the values: a Debug print ends up in logs.
        f.write_str("BasicAuth(<redacted>)")
    }
}

/// A secret path segment: `/voiceshot/summary/<token>`.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Why a token is not taken.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Too short to be a secret.
    #[error("the token is {0} characters; at least {MIN_TOKEN_LEN} are needed")]
    Short(usize),
    /// A character a URL path would need to escape.
    #[error("the token may hold only letters, digits, '-' and '_'")]
    Characters,
}

impl Token {
    /// A token: URL-safe characters only, at least [`MIN_TOKEN_LEN`] of them.
    pub fn new(text: String) -> Result<Token, TokenError> {
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(TokenError::Characters);
        }
        if text.len() < MIN_TOKEN_LEN {
            return Err(TokenError::Short(text.len()));
        }
        Ok(Token(text))
    }
}

/// What a post must show.
#[derive(Clone, Debug, Default)]
pub struct Auth {
    /// HTTP Basic credentials, accepted on every route.
    pub basic: Option<BasicAuth>,
    /// A token, accepted as the last segment of every route.
    pub token: Option<Token>,
}

impl Auth {
    /// Whether anything is required at all.
    pub fn any(&self) -> bool {
        self.basic.is_some() || self.token.is_some()
    }

    /// Whether a post with these headers, to a route ending in `token` (if any), may pass.
    pub(super) fn allows(&self, headers: &HeaderMap, token: Option<&str>) -> bool {
        if !self.any() {
            return true;
        }
        let by_token = match (&self.token, token) {
            (Some(want), Some(given)) => same(given.as_bytes(), want.0.as_bytes()),
            _ => false,
        };
        let by_basic = self.basic.as_ref().is_some_and(|auth| {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Basic "))
                .and_then(|b| {
                    base64::engine::general_purpose::STANDARD
                        .decode(b.trim())
                        .ok()
                });
            let expected = format!("{}:{}", auth.user, auth.password);
            given.is_some_and(|g| same(&g, expected.as_bytes()))
        });
        // Both checked, whichever passes: the time taken does not say which was tried.
        by_token | by_basic
    }
}

/// Compares in time that depends only on the lengths, not on where the first difference is.
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    let longest = a.len().max(b.len());
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..longest {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole_and_never_print() {
        assert!(same(b"u:p", b"u:p"));
        assert!(!same(b"u:p", b"u:q"));
        assert!(!same(b"u:p", b"u:pp"));
        assert!(!same(b"", b"x"));
        let basic = BasicAuth {
            user: "u".into(),
            password: "hunter2".into(),
        };
        assert_eq!(format!("{basic:?}"), "BasicAuth(<redacted>)");
        let token = Token::new("a".repeat(32)).unwrap();
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
    }

    #[test]
    fn tokens_are_long_and_url_safe() {
        assert_eq!(
            Token::new("short".into()).unwrap_err(),
            TokenError::Short(5)
        );
        assert_eq!(
            Token::new(format!("{}/x", "a".repeat(30))).unwrap_err(),
            TokenError::Characters
        );
        assert!(Token::new("Ab-_09".repeat(4)).is_ok());
    }

    #[test]
    fn a_post_passes_by_either_secret_and_by_nothing_else() {
        let auth = Auth {
            basic: Some(BasicAuth {
                user: "u".into(),
                password: "p".into(),
            }),
            token: Some(Token::new("t".repeat(24)).unwrap()),
        };
        let mut headers = HeaderMap::new();
        assert!(!auth.allows(&headers, None));
        assert!(!auth.allows(&headers, Some("wrong")));
        assert!(auth.allows(&headers, Some(&"t".repeat(24))));
        headers.insert(header::AUTHORIZATION, "Basic dTpw".parse().unwrap());
        assert!(auth.allows(&headers, None));
        assert!(Auth::default().allows(&HeaderMap::new(), None));
    }
}
