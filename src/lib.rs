//! outdial

pub mod sandbox;
pub mod voiceshot;
