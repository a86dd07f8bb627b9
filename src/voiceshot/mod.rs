//! VoiceShot IVR API (`/ivrapi.asp`): the `<campaign>` XML of every outbound action, the
//! error table, and reply parsing.
//!
//! Documents are written with quick-xml's writer, which escapes every attribute; nothing here
//! builds XML by string concatenation (the official SDKs do, and break on `&` in a sentence).

pub mod errorid;
pub mod render;
pub mod reply;

pub use render::{Credentials, RenderError, write_post, write_post_as};
