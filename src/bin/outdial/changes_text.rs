//! How `plan` shows what `send` changes at the provider: counts per action and the first
//! rows of each, with what changes (old → new), for people and for a pull request.

use outdial::converge::{Act, Converge, PendingFrom, Row, differences};

/// Where whether the calls to replace or remove are still pending came from, in words.
fn pending_from(c: &Converge) -> Option<&'static str> {
    Some(match c.pending_from? {
        PendingFrom::Provider => "pending calls: as the provider says",
        PendingFrom::Journal => {
            "pending calls: judged from the journal and their times (the provider was not asked; `send` asks it)"
        }
    })
}

/// What a row changes, in one line: "time 10:00 → 11:00; text "Hi." → "Hello."", or why a
/// call is fixed.
fn row_detail(row: &Row, text: &dyn Fn(&str) -> String) -> String {
    if let Some(why) = row.why {
        return why.text().to_owned();
    }
    match (&row.old, &row.new) {
        (Some(old), Some(new)) => differences(old, new)
            .into_iter()
            .map(|(field, was, now)| format!("{field} {} → {}", text(&was), text(&now)))
            .collect::<Vec<_>>()
            .join("; "),
        (None, Some(new)) => match &new.at {
            Some(at) => format!("at {}", text(at)),
            None => "as soon as sent".to_owned(),
        },
        (Some(old), None) => match &old.at {
            Some(at) => format!("was due {}", text(at)),
            None => String::new(),
        },
        (None, None) => String::new(),
    }
}

/// The rows listed, and how many more of each action are not.
fn listed(c: &Converge) -> impl Iterator<Item = (Act, Vec<&Row>, u64)> {
    Act::ALL
        .into_iter()
        .filter(|a| *a != Act::Keep)
        .filter_map(|act| {
            let rows: Vec<&Row> = c.rows.iter().filter(|r| r.act == act).collect();
            let more = c.count(act).saturating_sub(rows.len() as u64);
            (!rows.is_empty()).then_some((act, rows, more))
        })
}

/// The changes for people: a summary line, then the rows, indented under `plan`'s counts.
pub fn human(c: &Converge) -> String {
    let mut t = format!("\n  changes: {}", c.summary());
    let counts: Vec<String> = Act::ALL
        .into_iter()
        .filter(|a| c.count(*a) > 0)
        .map(|a| format!("{} {}", a.name(), c.count(a)))
        .collect();
    if !counts.is_empty() {
        t.push_str(&format!("\n    ({})", counts.join(", ")));
    }
    if let Some(from) = pending_from(c) {
        t.push_str(&format!("\n    {from}"));
    }
    let plain = |s: &str| s.to_owned();
    for (act, rows, more) in listed(c) {
        for row in rows {
            t.push_str(&format!(
                "\n    {:<9}{} {}  {}",
                act.name(),
                row.number,
                row.callid,
                row_detail(row, &plain)
            ));
        }
        if more > 0 {
            t.push_str(&format!("\n    {:<9}… and {more} more", act.name()));
        }
    }
    t
}

/// The changes for a pull request comment: a table of counts, then the rows listed.
pub fn markdown(c: &Converge, code: &dyn Fn(&str) -> String) -> String {
    let mut t = format!(
        "\n#### Changes at the provider\n\n`send` will: {}.\n\n| action | recipients |\n|---|---:|\n",
        c.summary()
    );
    for act in Act::ALL {
        t.push_str(&format!("| {} | {} |\n", act.name(), c.count(act)));
    }
    if let Some(from) = pending_from(c) {
        t.push_str(&format!("\n_{from}._\n"));
    }
    for (act, rows, more) in listed(c) {
        t.push_str(&format!("\n**{}**\n\n", act.name()));
        for row in rows {
            t.push_str(&format!(
                "- {} {}: {}\n",
                code(&row.number),
                code(&row.callid),
                row_detail(row, code)
            ));
        }
        if more > 0 {
            t.push_str(&format!("- … and {more} more\n"));
        }
    }
    t
}
