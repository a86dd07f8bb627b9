//! The environment variables outdial reads, for `--help` and the man pages, and the names of
//! those only the binary reads (`listen`'s credentials and token).

/// The variables `listen` takes its credentials from.
pub const LISTEN_CREDENTIAL_VARS: (&str, &str) = ("OUTDIAL_LISTEN_USER", "OUTDIAL_LISTEN_PASSWORD");
/// The variable `listen` takes its path token from.
pub const LISTEN_TOKEN_VAR: &str = "OUTDIAL_LISTEN_TOKEN";

/// The environment variables outdial reads and what for, for `--help` and the man pages;
/// a provider without credentials is a remark with no variable.
pub fn environment() -> Vec<(Option<String>, String)> {
    let mut vars = Vec::new();
    for provider in outdial::provider::ProviderName::ALL {
        vars.push(match provider.credential_vars() {
            Some((user, password)) => (
                Some(format!("{user}, {password}")),
                format!(
                    "credentials for {} ({})",
                    provider.display(),
                    provider.credential_commands()
                ),
            ),
            None => (None, format!("{} takes no credentials", provider.display())),
        });
    }
    let (user, password) = LISTEN_CREDENTIAL_VARS;
    vars.push((
        Some(format!("{user}, {password}")),
        "the credentials posts to `listen` must carry (or use the token)".to_owned(),
    ));
    vars.push((
        Some(LISTEN_TOKEN_VAR.to_owned()),
        format!(
            "a secret of at least {} letters, digits, '-' or '_': `listen` also takes posts to ROUTE/TOKEN",
            outdial::results::listen::MIN_TOKEN_LEN
        ),
    ));
    vars.push((
        Some(outdial::state::STATE_VAR.to_owned()),
        "where journals and locks are kept when --state does not say (a PostgreSQL URL)".to_owned(),
    ));
    vars.push((
        Some("PGPASSWORD".to_owned()),
        "the database password when the state URL has none".to_owned(),
    ));
    vars.push((
        Some("NO_COLOR".to_owned()),
        "set: no colour in diagnostics".to_owned(),
    ));
    vars.push((
        Some("COLUMNS".to_owned()),
        "the width diagnostics are wrapped to (default 100; a help line is never wrapped)"
            .to_owned(),
    ));
    vars
}
