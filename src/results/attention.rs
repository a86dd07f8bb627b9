//! The HTML page's list of the recipients a person has to look at: not reached, unknown, in
//! doubt and removed, each status in its own `<details>` section (open or fold it to filter:
//! no script), with the reason in the provider's words.

use std::io::{self, Write};

use super::cell::escape_controls as visible;
use super::chart::Doc;
use super::page::{header_row, section_start};
use super::record::{RecipientResult, Status};
use super::report::{ATTENTION, Summary};

/// What to do about each status, for the section's first line.
fn advice(status: Status) -> &'static str {
    match status {
        Status::NotReached => "In the --retry list: send them again when it suits.",
        Status::Unknown => {
            "The provider's answer is not one outdial recognises: read it, check the call in \
             the provider's own screens. Not in the --retry list."
        }
        Status::InDoubt => {
            "Posted without a clear answer: settle with `outdial send` (it looks them up) or \
             `outdial resolve` before trying again. Not in the --retry list."
        }
        Status::Removed => {
            "The provider no longer holds these calls (removed, or deleted once made): whether \
             they reached anyone is not known. Not in the --retry list."
        }
        _ => "",
    }
}

/// Writes the section: one `<details>` per status that has recipients, a note when none has.
pub(super) fn write<W: Write>(doc: &mut Doc<W>, s: &Summary) -> io::Result<()> {
    section_start(doc, "attention", "Who to look at")?;
    let total: u64 = ATTENTION.iter().map(|&st| s.counts.get(st)).sum();
    if total == 0 {
        doc.element(
            "p",
            &[],
            "Nobody: no call is reported not reached, unknown, in doubt or removed.",
        )?;
        return doc.close("section");
    }
    doc.element(
        "p",
        &[],
        "Open a section to see its recipients; fold the others away to filter.",
    )?;
    for status in ATTENTION {
        let n = s.counts.get(status);
        if n == 0 {
            continue;
        }
        let rows: Vec<&RecipientResult> =
            s.attention.iter().filter(|r| r.status == status).collect();
        // The list is open where a person must act before anything is sent again.
        let attrs: &[(&str, &str)] = match status {
            Status::Unknown | Status::InDoubt => &[("open", "open")],
            _ => &[],
        };
        doc.open("details", attrs)?;
        doc.open("summary", &[])?;
        doc.element("span", &[("class", &format!("sw {}", status.as_str()))], "")?;
        doc.text(&format!("{} ({n})", status.as_str()))?;
        doc.close("summary")?;
        doc.element("p", &[], advice(status))?;
        table(doc, &rows)?;
        let left = n.saturating_sub(rows.len() as u64);
        if left > 0 {
            doc.element(
                "p",
                &[],
                &format!("… and {left} more: see `outdial report --format csv`."),
            )?;
        }
        doc.close("details")?;
    }
    doc.close("section")
}

fn table<W: Write>(doc: &mut Doc<W>, rows: &[&RecipientResult]) -> io::Result<()> {
    doc.open("table", &[])?;
    header_row(
        doc,
        &[
            ("Number", false),
            ("Call id", false),
            ("Provider said", false),
            ("Reason", false),
            ("Called at (UTC)", false),
        ],
    )?;
    doc.open("tbody", &[])?;
    for r in rows {
        doc.open("tr", &[])?;
        doc.element("td", &[], &visible(&r.number))?;
        doc.element("td", &[], &visible(&r.callid))?;
        doc.element(
            "td",
            &[],
            &visible(r.provider_status.as_deref().unwrap_or("–")),
        )?;
        doc.element("td", &[], &visible(r.reason.as_deref().unwrap_or("–")))?;
        doc.element("td", &[], r.called_at.as_deref().unwrap_or("–"))?;
        doc.close("tr")?;
    }
    doc.close("tbody")?;
    doc.close("table")
}
