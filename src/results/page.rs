//! Building blocks the report page's sections share: a section with its heading, a
//! table's header row.

use std::io::{self, Write};

use super::chart::Doc;

/// Opens a `<section>` labelled by its `<h2>` heading (id `{id}-h`).
pub(super) fn section_start<W: Write>(doc: &mut Doc<W>, id: &str, heading: &str) -> io::Result<()> {
    let h = format!("{id}-h");
    doc.open("section", &[("aria-labelledby", &h)])?;
    doc.element("h2", &[("id", &h)], heading)
}

/// A table's `<thead>`: one column header per cell, numeric ones right-aligned.
pub(super) fn header_row<W: Write>(doc: &mut Doc<W>, cells: &[(&str, bool)]) -> io::Result<()> {
    doc.open("thead", &[])?;
    doc.open("tr", &[])?;
    for (text, numeric) in cells {
        let attrs: &[(&str, &str)] = if *numeric {
            &[("scope", "col"), ("class", "n")]
        } else {
            &[("scope", "col")]
        };
        doc.element("th", attrs, text)?;
    }
    doc.close("tr")?;
    doc.close("thead")
}
