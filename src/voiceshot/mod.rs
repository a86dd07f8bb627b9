//! VoiceShot IVR API (`/ivrapi.asp`): the error table and reply parsing.

pub mod errorid;
pub mod reply;
