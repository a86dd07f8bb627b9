//! VoiceShot IVR API: the `<campaign>` XML of every outbound action.
//!
//! Documents are written with quick-xml's writer, which escapes every attribute; nothing here
//! builds XML by string concatenation (the official SDKs do, and break on `&` in a sentence).

pub mod render;

pub use render::{RenderError, write_post};
