//! Reading a provider's credentials from the environment: both variables of its pair, or
//! neither, and nothing its requests cannot carry.

use super::credentials::{CredentialError, Credentials};
use super::interface::Provider;

/// Reads credentials from the environment through `get`: both variables or neither.
pub fn credentials_from(
    provider: &dyn Provider,
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, CredentialError> {
    let Some((user_var, pass_var)) = provider.name().credential_vars() else {
        return Ok(None);
    };
    let get = |k| get(k).filter(|v: &String| !v.is_empty());
    match (get(user_var), get(pass_var)) {
        (Some(username), Some(password)) => {
            for (var, user, value) in [(user_var, true, &username), (pass_var, false, &password)] {
                if let Some(what) = provider.credential_problem(user, value) {
                    return Err(CredentialError::Unusable {
                        var,
                        what,
                        provider: provider.name().display(),
                    });
                }
            }
            Ok(Some(Credentials { username, password }))
        }
        (None, None) => Ok(None),
        (Some(_), None) => Err(CredentialError::OnlyOne {
            set: user_var,
            unset: pass_var,
        }),
        (None, Some(_)) => Err(CredentialError::OnlyOne {
            set: pass_var,
            unset: user_var,
        }),
    }
}
