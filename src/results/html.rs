//! The results report as one self-contained HTML page: inline CSS, inline SVG charts (the
//! reach funnel, calls over time, keypresses per prompt) and the same numbers as tables. No
//! script, no font, no link to anything outside the file: it opens offline, and prints.

use std::io::{self, Write};

use super::attention;
use super::cell::escape_controls as visible;
use super::chart::{self, Bar, Column, Doc};
use super::page::{header_row, section_start};
use super::record::Status;
use super::report::Summary;

/// The page's style sheet. Written as is: it holds no `<` or `&` (a `<style>` element is raw
/// text in HTML, where an escaped character would stay escaped).
const STYLE: &str = "
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, sans-serif; color: #1b1b1b; background: #fff; margin: 0; }
main { max-width: 760px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.15em; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta { color: #555; margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; }
svg text { font: 13px system-ui, sans-serif; fill: #1b1b1b; }
svg .axis line { stroke: #ddd; }
svg .axis text { fill: #555; font-size: 12px; }
.reached rect, rect.reached, .sw.reached { fill: #2e7d32; background: #2e7d32; }
.not-reached rect, rect.not-reached, .sw.not-reached { fill: #c62828; background: #c62828; }
.pending rect, .sw.pending { fill: #f9a825; background: #f9a825; }
.unknown rect, .sw.unknown { fill: #ef6c00; background: #ef6c00; }
.in-doubt rect, .sw.in-doubt { fill: #6a1b9a; background: #6a1b9a; }
.never-sent rect, .sw.never-sent { fill: #757575; background: #757575; }
.removed rect, .sw.removed { fill: #5d4037; background: #5d4037; }
.machine rect { fill: #66bb6a; }
.unsaid rect { fill: #a5d6a7; }
p.nothing { color: #555; font-style: italic; }
details { margin: 6px 0; border: 1px solid #e3e3e3; border-radius: 4px; padding: 2px 10px; }
details summary { cursor: pointer; padding: 6px 0; font-weight: 600; }
details table { font-size: 0.93em; }
.funnel rect { fill: #1565c0; }
.keys rect { fill: #00838f; }
span.sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
footer { color: #666; font-size: 0.9em; margin-top: 32px; }
";

/// Bars in a keypress chart: past this, the least pressed sequences share one bar.
const KEY_BARS: usize = 12;

/// Writes the page for `summary`, made at `generated`, to `out`.
pub fn write_html<W: Write>(
    out: W,
    summary: &Summary,
    generated: jiff::Timestamp,
) -> io::Result<W> {
    let mut doc = Doc::new(out);
    doc.raw("<!DOCTYPE html>\n")?;
    doc.open("html", &[("lang", "en")])?;
    doc.open("head", &[])?;
    doc.raw("<meta charset=\"utf-8\">")?;
    doc.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")?;
    doc.element(
        "title",
        &[],
        &format!("Results of {} (outdial report)", summary.campaign),
    )?;
    doc.open("style", &[])?;
    doc.raw(STYLE)?;
    doc.close("style")?;
    doc.close("head")?;
    doc.open("body", &[])?;
    doc.open("main", &[])?;
    doc.element("h1", &[], &format!("Results of “{}”", summary.campaign))?;
    doc.element(
        "p",
        &[("class", "meta")],
        &format!(
            "{} recipients · provider {} · made {}",
            summary.recipients,
            summary.provider,
            generated.strftime("%Y-%m-%d %H:%M UTC")
        ),
    )?;
    statuses(&mut doc, summary)?;
    attention::write(&mut doc, summary)?;
    if summary.dialled == 0 {
        // One sentence instead of empty charts.
        section_start(&mut doc, "charts", "Charts")?;
        doc.element(
            "p",
            &[("class", "nothing")],
            "Nothing to draw yet: no call of this campaign has been dialled.",
        )?;
        doc.close("section")?;
    } else {
        reached_by(&mut doc, summary)?;
        funnel(&mut doc, summary)?;
        over_time(&mut doc, summary)?;
        keypresses(&mut doc, summary)?;
    }
    reasons(&mut doc, summary)?;
    doc.open("footer", &[])?;
    doc.text(
        "Made by outdial report from the campaign file, its journal and the results store. \
         Times are on the provider's clock. Recipients to try again: not reached and never sent \
         (calls in doubt are settled first).",
    )?;
    doc.close("footer")?;
    doc.close("main")?;
    doc.close("body")?;
    doc.close("html")?;
    doc.raw("\n")?;
    Ok(doc.into_inner())
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pct(n: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    format!("{}%", (n * 100 + whole / 2) / whole)
}

fn statuses<W: Write>(doc: &mut Doc<W>, s: &Summary) -> io::Result<()> {
    section_start(doc, "statuses", "Where each recipient stands")?;
    let bars: Vec<Bar<'_>> = Status::ALL
        .iter()
        .map(|&status| Bar {
            label: status.as_str(),
            value: s.counts.get(status),
            class: status.as_str(),
        })
        .collect();
    chart::bars(
        doc,
        "statuses-chart",
        "Recipients by status",
        &format!(
            "Of {} recipients: {}.",
            s.recipients,
            Status::ALL
                .iter()
                .map(|&st| format!("{} {}", s.counts.get(st), st.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        &bars,
        Some(s.recipients),
    )?;
    doc.open("table", &[])?;
    header_row(
        doc,
        &[
            ("Status", false),
            ("Meaning", false),
            ("Recipients", true),
            ("Share", true),
        ],
    )?;
    doc.open("tbody", &[])?;
    for status in Status::ALL {
        let n = s.counts.get(status);
        doc.open("tr", &[])?;
        doc.open("th", &[("scope", "row")])?;
        doc.element("span", &[("class", &format!("sw {}", status.as_str()))], "")?;
        doc.text(status.as_str())?;
        doc.close("th")?;
        doc.element("td", &[], status.meaning())?;
        doc.element("td", &[("class", "n")], &n.to_string())?;
        doc.element("td", &[("class", "n")], &pct(n, s.recipients))?;
        doc.close("tr")?;
    }
    doc.close("tbody")?;
    doc.close("table")?;
    doc.element(
        "p",
        &[],
        &format!(
            "{} to try again (not reached and never sent).{}",
            count(s.retry, "recipient", "recipients"),
            if s.unmatched > 0 {
                format!(
                    " {} no recipient of the campaign.",
                    count(s.unmatched, "stored result matches", "stored results match")
                )
            } else {
                String::new()
            }
        ),
    )?;
    doc.close("section")
}

fn reached_by<W: Write>(doc: &mut Doc<W>, s: &Summary) -> io::Result<()> {
    section_start(doc, "reached-by", "Who answered")?;
    let by = s.reached_by;
    let bars = [
        Bar {
            label: "a person",
            value: by.person,
            class: "reached",
        },
        Bar {
            label: "a machine",
            value: by.machine,
            class: "machine",
        },
        Bar {
            label: "not said",
            value: by.unsaid,
            class: "unsaid",
        },
    ];
    chart::bars(
        doc,
        "reached-by-chart",
        "Reached recipients by who answered",
        &format!(
            "Of {} reached: {} by a person, {} by an answering machine or voicemail, {} without the provider saying who.",
            s.counts.reached, by.person, by.machine, by.unsaid
        ),
        &bars,
        Some(s.counts.reached),
    )?;
    doc.close("section")
}

fn funnel<W: Write>(doc: &mut Doc<W>, s: &Summary) -> io::Result<()> {
    section_start(doc, "funnel", "Reach funnel")?;
    let steps = [
        ("recipients", s.recipients),
        ("sent", s.sent),
        ("dialled", s.dialled),
        ("reached", s.counts.reached),
    ];
    let bars: Vec<Bar<'_>> = steps
        .iter()
        .map(|&(label, value)| Bar {
            label,
            value,
            class: "funnel",
        })
        .collect();
    chart::bars(
        doc,
        "funnel-chart",
        "Reach funnel",
        &format!(
            "{} recipients, {} sent, {} dialled, {} reached.",
            s.recipients, s.sent, s.dialled, s.counts.reached
        ),
        &bars,
        Some(s.recipients),
    )?;
    doc.close("section")
}

fn over_time<W: Write>(doc: &mut Doc<W>, s: &Summary) -> io::Result<()> {
    section_start(doc, "time", "Calls over time")?;
    if s.timeline.is_empty() {
        doc.element(
            "p",
            &[],
            "No dialled call has a time the report can read yet.",
        )?;
    } else {
        let columns: Vec<Column<'_>> = s
            .timeline
            .iter()
            .map(|b| Column {
                label: &b.start,
                values: vec![b.reached, b.not_reached],
            })
            .collect();
        let (first, last) = (
            &s.timeline[0].start,
            &s.timeline[s.timeline.len() - 1].start,
        );
        chart::columns(
            doc,
            "time-chart",
            &format!("Dialled calls per {}", s.period),
            &format!(
                "Reached and not reached calls from {first} to {last}, per {}, on the provider's clock.",
                s.period
            ),
            &[("reached", "reached"), ("not reached", "not-reached")],
            &columns,
        )?;
    }
    if s.untimed > 0 {
        doc.element(
            "p",
            &[],
            &format!(
                "{} dialled calls have no time the report can read.",
                s.untimed
            ),
        )?;
    }
    doc.close("section")
}

fn keypresses<W: Write>(doc: &mut Doc<W>, s: &Summary) -> io::Result<()> {
    section_start(doc, "keys", "Keypresses per prompt")?;
    let mut any = false;
    for prompt in &s.keypresses {
        if prompt.keys.is_empty() {
            continue;
        }
        any = true;
        let id = format!("keys-{}", prompt.prompt);
        doc.element("h3", &[], &format!("Prompt {}", prompt.prompt))?;
        // The most pressed sequences; the rest (free-form entries, say) in one bar.
        let (shown, rest) = prompt.keys.split_at(prompt.keys.len().min(KEY_BARS));
        let other = format!("{} others", rest.len());
        let labels: Vec<String> = shown.iter().map(|k| visible(&k.value).into()).collect();
        let mut bars: Vec<Bar<'_>> = shown
            .iter()
            .zip(&labels)
            .map(|(k, label)| Bar {
                label,
                value: k.count,
                class: "keys",
            })
            .collect();
        if !rest.is_empty() {
            bars.push(Bar {
                label: &other,
                value: rest.iter().map(|k| k.count).sum(),
                class: "keys",
            });
        }
        chart::bars(
            doc,
            &id,
            &format!("Keys pressed at prompt {}", prompt.prompt),
            &format!(
                "{} recipients pressed a key at prompt {}: {}.",
                prompt.pressed,
                prompt.prompt,
                bars.iter()
                    .map(|b| format!("{} pressed {}", b.value, b.label))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &bars,
            Some(prompt.pressed),
        )?;
    }
    if !any {
        doc.element("p", &[], "No keypresses recorded.")?;
    }
    doc.close("section")
}

fn reasons<W: Write>(doc: &mut Doc<W>, s: &Summary) -> io::Result<()> {
    section_start(doc, "reasons", "Why calls were not reached")?;
    if s.reasons.is_empty() {
        doc.element("p", &[], "No call was reported as not reached.")?;
    } else {
        doc.open("table", &[])?;
        header_row(doc, &[("Reason", false), ("Recipients", true)])?;
        doc.open("tbody", &[])?;
        for r in &s.reasons {
            doc.open("tr", &[])?;
            doc.element("td", &[], &visible(&r.value))?;
            doc.element("td", &[("class", "n")], &r.count.to_string())?;
            doc.close("tr")?;
        }
        doc.close("tbody")?;
        doc.close("table")?;
    }
    doc.close("section")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::report::{Bucket, KeyCount, PromptKeys, StatusCounts};

    #[test]
    fn text_is_escaped_and_nothing_is_fetched() {
        let summary = Summary {
            campaign: "<script>alert(1)</script> & co".into(),
            provider: "voiceshot",
            recipients: 3,
            counts: StatusCounts {
                reached: 1,
                not_reached: 1,
                pending: 0,
                unknown: 0,
                in_doubt: 0,
                removed: 0,
                never_sent: 1,
            },
            sent: 2,
            dialled: 2,
            retry: 2,
            reasons: vec![KeyCount {
                value: "Busy <b>".into(),
                count: 1,
            }],
            keypresses: vec![PromptKeys {
                prompt: 1,
                pressed: 1,
                keys: vec![KeyCount {
                    value: "\"1\"".into(),
                    count: 1,
                }],
            }],
            timeline: vec![Bucket {
                start: "2026-06-01T14:00".into(),
                reached: 1,
                not_reached: 1,
            }],
            period: "1 hour",
            untimed: 0,
            unmatched: 0,
            reached_by: Default::default(),
            attention: Vec::new(),
            attention_more: 0,
        };
        let html = String::from_utf8(
            write_html(Vec::new(), &summary, jiff::Timestamp::UNIX_EPOCH).unwrap(),
        )
        .unwrap();
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
        assert!(html.contains("Busy &lt;b&gt;"));
        assert!(!html.contains("http"), "no external reference");
        // Statuses, who answered, the funnel, the timeline and prompt 1's keys.
        assert_eq!(html.matches("<svg").count(), 5);
        assert!(
            !html.contains("<td/>") && !html.contains("<span/>"),
            "{html}"
        );
    }

    #[test]
    fn many_key_sequences_share_a_bar() {
        let keys: Vec<KeyCount> = (0..40)
            .map(|i| KeyCount {
                value: format!("{i}#"),
                count: 50 - i,
            })
            .collect();
        let summary = Summary {
            campaign: "c".into(),
            provider: "voiceshot",
            recipients: 2000,
            counts: StatusCounts::default(),
            sent: 1,
            dialled: 1,
            retry: 0,
            reasons: Vec::new(),
            keypresses: vec![PromptKeys {
                prompt: 2,
                pressed: keys.iter().map(|k| k.count).sum(),
                keys,
            }],
            timeline: Vec::new(),
            period: "1 minute",
            untimed: 0,
            unmatched: 0,
            reached_by: Default::default(),
            attention: Vec::new(),
            attention_more: 0,
        };
        let html = String::from_utf8(
            write_html(Vec::new(), &summary, jiff::Timestamp::UNIX_EPOCH).unwrap(),
        )
        .unwrap();
        let chart = &html[html.find("id=\"keys-2\"").unwrap()..];
        let chart = &chart[..chart.find("</svg>").unwrap()];
        assert_eq!(chart.matches("<rect").count(), KEY_BARS + 1);
        // 28 sequences pressed 38 down to 11 times: 686 in the last bar.
        assert!(chart.contains("28 others: 686"), "{chart}");
    }

    #[test]
    fn nothing_to_draw_is_said_once_and_hostile_text_is_escaped() {
        use crate::results::record::{RecipientResult, Status};
        let mut unknown = RecipientResult {
            number: "8185550100".into(),
            callid: "c1".into(),
            status: Status::Unknown,
            provider_status: Some("Frob\u{1b}[2J\u{7}bed".into()),
            reason: Some("=HYPERLINK(\"x\")\r".into()),
            duration: None,
            answered_by: None,
            attempts: None,
            called_at: None,
            provider_time: None,
            source: Some("callback"),
            keypresses: Vec::new(),
            responses: Default::default(),
            recording: None,
            not_sent_by_outdial: false,
        };
        let summary = Summary {
            campaign: "c".into(),
            provider: "voipcomm",
            recipients: 2,
            counts: StatusCounts {
                unknown: 1,
                in_doubt: 1,
                ..StatusCounts::default()
            },
            sent: 2,
            dialled: 0,
            retry: 0,
            reached_by: Default::default(),
            reasons: Vec::new(),
            keypresses: Vec::new(),
            timeline: Vec::new(),
            period: "1 minute",
            untimed: 0,
            unmatched: 0,
            attention: vec![unknown.clone(), {
                unknown.status = Status::InDoubt;
                unknown.number = "8185550101".into();
                unknown
            }],
            attention_more: 0,
        };
        let html = String::from_utf8(
            write_html(Vec::new(), &summary, jiff::Timestamp::UNIX_EPOCH).unwrap(),
        )
        .unwrap();
        assert_eq!(html.matches("Nothing to draw").count(), 1, "{html}");
        // Only the statuses chart: no empty chart is drawn.
        assert_eq!(html.matches("<svg").count(), 1);
        assert!(!html.chars().any(|c| c.is_control() && c != '\n'), "{html}");
        assert!(html.contains("Frob\\u{1b}[2J\\u{7}bed"), "{html}");
        // Both lists, open, each with its recipient.
        assert_eq!(html.matches("<details open=\"open\">").count(), 2);
        assert!(html.contains("<td>8185550101</td>"));
    }
}
