//! outdial

pub mod audio;
