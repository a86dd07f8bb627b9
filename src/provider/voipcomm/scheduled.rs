//! The shape of the scheduled-call list and delete, which the provider's page does not
//! document: how each is sent (GET or POST), the parameter naming the call in a delete, and
//! where the list keeps its calls. The defaults are the shapes outdial's stand-in answers;
//! every one of them is a `[voipcomm]` setting.

use std::ops::Range;

use toml::Spanned;

use super::section::MethodSetting;
use crate::campaign::check::Checker;
use crate::provider::Method;

impl From<MethodSetting> for Method {
    fn from(m: MethodSetting) -> Method {
        match m {
            MethodSetting::Post => Method::Post,
            MethodSetting::Get => Method::Get,
        }
    }
}

/// The delete's parameter that carries the provider's callid, by default.
pub const DEFAULT_ID_PARAM: &str = "callid";
/// Where the list reply keeps its array of calls, by default (a JSON pointer).
pub const DEFAULT_LIST_ARRAY: &str = "/data";

/// The scheduled-call requests as a campaign configures them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// How the list is asked for.
    pub list_method: Method,
    /// How a delete is sent.
    pub delete_method: Method,
    /// The delete's parameter naming the call.
    pub id_param: String,
    /// JSON pointer to the list reply's array of `{callid, to, call_date}`.
    pub list_array: String,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            list_method: Method::Post,
            delete_method: Method::Post,
            id_param: DEFAULT_ID_PARAM.to_owned(),
            list_array: DEFAULT_LIST_ARRAY.to_owned(),
        }
    }
}

/// Checks the shape settings; `None` keys keep the defaults.
pub(crate) fn build(
    c: &mut Checker<'_>,
    list_method: Option<MethodSetting>,
    delete_method: Option<MethodSetting>,
    id_param: Option<&Spanned<String>>,
    list_array: Option<&Spanned<String>>,
) -> Shape {
    let mut shape = Shape::default();
    if let Some(m) = list_method {
        shape.list_method = m.into();
    }
    if let Some(m) = delete_method {
        shape.delete_method = m.into();
    }
    if let Some(name) = id_param {
        let text = name.get_ref().trim();
        if text.is_empty() || text.contains(|ch: char| ch.is_whitespace() || "&=?#".contains(ch)) {
            bad(
                c,
                name.span(),
                format!("`scheduled_id_param` \"{text}\" is not a parameter name"),
                "write the name the provider reads the call's id from, e.g. \"callid\"",
            );
        } else {
            shape.id_param = text.to_owned();
        }
    }
    if let Some(pointer) = list_array {
        let text = pointer.get_ref().trim();
        if text.is_empty() || text.starts_with('/') {
            shape.list_array = text.to_owned();
        } else {
            bad(
                c,
                pointer.span(),
                format!("`scheduled_list_array` \"{text}\" is not a JSON pointer"),
                "start it with / (e.g. \"/data\" or \"/result/calls\"), or write \"\" for a reply that is the array itself",
            );
        }
    }
    shape
}

fn bad(c: &mut Checker<'_>, span: Range<usize>, message: String, help: &str) {
    c.error(
        "voipcomm::bad-scheduled-shape",
        message,
        span,
        "not valid here",
        help,
    );
}

/// The query or body of a delete of call `id`.
pub fn delete_params(shape: &Shape, id: &str) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .append_pair(&shape.id_param, id)
        .finish()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delete_names_the_call_by_the_configured_parameter() {
        assert_eq!(
            delete_params(&Shape::default(), "c 1&x"),
            b"callid=c+1%26x".to_vec()
        );
        let shape = Shape {
            id_param: "id".into(),
            ..Shape::default()
        };
        assert_eq!(delete_params(&shape, "c1"), b"id=c1".to_vec());
        assert_eq!(Shape::default().delete_method, Method::Post);
        assert_eq!(Shape::default().list_method, Method::Post);
    }
}
