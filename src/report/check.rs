//! What checking a campaign file reports.

use std::path::Path;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

/// The outcome of checking one campaign file.
#[derive(Debug)]
pub enum Checked<'a> {
    /// The campaign is valid (warnings aside).
    Valid {
        /// The file as given.
        file: &'a Path,
        /// The campaign's name.
        campaign: &'a str,
        /// Recipients to call.
        recipients: u64,
        /// Prompts.
        prompts: usize,
        /// Sound files to upload.
        sounds: usize,
        /// Call posts a `send` makes.
        call_posts: usize,
        /// Numbers per call post (shown to people only).
        batch_size: usize,
        /// Warnings shown.
        warnings: usize,
        /// `window = "always"`: calls ring at any hour, by choice (said once, here).
        any_hour: bool,
    },
    /// The campaign has errors (all shown before this).
    Invalid {
        /// The file as given.
        file: &'a Path,
        /// Errors shown.
        errors: usize,
        /// Warnings shown.
        warnings: usize,
    },
}

impl Serialize for Checked<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Checked::Valid {
                file,
                campaign,
                recipients,
                prompts,
                sounds,
                call_posts,
                batch_size: _,
                warnings,
                any_hour,
            } => {
                let mut m = s.serialize_struct("Checked", 9)?;
                if *any_hour {
                    m.serialize_field("any_hour", any_hour)?;
                }
                m.serialize_field("file", &file.display().to_string())?;
                m.serialize_field("ok", &true)?;
                m.serialize_field("campaign", campaign)?;
                m.serialize_field("recipients", recipients)?;
                m.serialize_field("prompts", prompts)?;
                m.serialize_field("sounds", sounds)?;
                m.serialize_field("call_posts", call_posts)?;
                m.serialize_field("warnings", warnings)?;
                m.end()
            }
            Checked::Invalid {
                file,
                errors,
                warnings,
            } => {
                let mut m = s.serialize_struct("Checked", 4)?;
                m.serialize_field("file", &file.display().to_string())?;
                m.serialize_field("ok", &false)?;
                m.serialize_field("errors", errors)?;
                m.serialize_field("warnings", warnings)?;
                m.end()
            }
        }
    }
}
