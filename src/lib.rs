//! outdial

pub mod voiceshot;
