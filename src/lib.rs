//! outdial
