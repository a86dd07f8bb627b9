//! Integration tests: one binary over fixture folders.
//!
//! The CLI is run as a subprocess (`CARGO_BIN_EXE_outdial`) from the repository root with
//! `NO_COLOR=1` and a fixed width, so golden diagnostics are byte-stable.

mod cli;
mod converge;
mod converge_faults;
mod converge_faults_byid;
mod converge_state;
mod diagnostics;
mod diff;
mod docs;
mod examples;
mod guard;
mod hostile;
mod listen;
mod listen_hostile;
mod listen_replicas;
mod listen_service;
mod query_all;
mod recipients;
mod refusals;
mod report;
mod report_nothing_stored;
mod roundtrip;
mod rules;
mod safety;
mod schema;
mod session;
mod state;
mod state_callids;
mod state_listen;
mod state_move;
mod state_peers;
mod state_results;
mod state_send;
mod submit;
mod support;
mod voicent;
mod voipcomm;
mod voipcomm_scheduled;
mod workflow;
mod world;
