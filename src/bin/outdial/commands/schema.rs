//! `schema`: the campaign file's JSON Schema.

use outdial::report::{Message, Schema};

use crate::exit::Exit;
use crate::output::Report;

/// Reports the schema.
pub fn run(out: &dyn Report) -> Result<(), Exit> {
    out.show(Message::Schema(Schema::campaign()));
    Ok(())
}
