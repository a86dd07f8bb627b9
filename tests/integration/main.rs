//! Integration tests: one binary over fixture folders.
mod recipients;
