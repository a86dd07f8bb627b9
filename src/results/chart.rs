//! A small SVG renderer for the results page: horizontal bars and stacked columns, written
//! through quick-xml's writer so every label and title is escaped. Plain functions, no
//! scripts: each chart carries a `<title>` and `<desc>` for screen readers, and every bar
//! its own `<title>` (a tooltip) with its value.

use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

/// An element tree writer over quick-xml: start tags with attributes, escaped text, end tags.
pub(super) struct Doc<W: Write> {
    w: Writer<W>,
}

impl<W: Write> Doc<W> {
    pub(super) fn new(out: W) -> Self {
        Doc {
            w: Writer::new(out),
        }
    }

    pub(super) fn into_inner(self) -> W {
        self.w.into_inner()
    }

    /// Writes something that is already markup (a doctype, the fixed style sheet).
    pub(super) fn raw(&mut self, markup: &str) -> io::Result<()> {
        self.w.get_mut().write_all(markup.as_bytes())
    }

    pub(super) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        let start = BytesStart::new(name).with_attributes(attrs.iter().copied());
        self.w.write_event(Event::Start(start))
    }

    pub(super) fn close(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    pub(super) fn text(&mut self, text: &str) -> io::Result<()> {
        self.w.write_event(Event::Text(BytesText::new(text)))
    }

    /// `<name …>text</name>`. (Never `<name/>`: HTML reads that as an open tag.)
    pub(super) fn element(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> io::Result<()> {
        self.open(name, attrs)?;
        self.text(text)?;
        self.close(name)
    }

    /// An SVG shape with no content: `<rect …/>` (foreign elements may close themselves).
    pub(super) fn shape(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        let start = BytesStart::new(name).with_attributes(attrs.iter().copied());
        self.w.write_event(Event::Empty(start))
    }
}

/// One bar of a bar chart.
pub(super) struct Bar<'a> {
    pub(super) label: &'a str,
    pub(super) value: u64,
    /// The CSS class that colours it.
    pub(super) class: &'a str,
}

const WIDTH: u32 = 640;
const LABEL_W: u32 = 170;
const VALUE_W: u32 = 90;
const BAR_H: u32 = 26;
const GAP: u32 = 10;

fn px(n: impl Into<f64>) -> String {
    let n: f64 = n.into();
    let rounded = (n * 10.0).round() / 10.0;
    format!("{rounded}")
}

/// The `<svg>` start with its accessible name and description.
fn start<W: Write>(
    doc: &mut Doc<W>,
    id: &str,
    height: u32,
    title: &str,
    desc: &str,
) -> io::Result<()> {
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let labelled = format!("{title_id} {desc_id}");
    let view = format!("0 0 {WIDTH} {height}");
    doc.open(
        "svg",
        &[
            ("id", id),
            ("class", "chart"),
            ("role", "img"),
            ("viewBox", &view),
            ("width", &WIDTH.to_string()),
            ("height", &height.to_string()),
            ("aria-labelledby", &labelled),
        ],
    )?;
    doc.element("title", &[("id", &title_id)], title)?;
    doc.element("desc", &[("id", &desc_id)], desc)
}

/// Horizontal bars, one a row, labelled on the left with the value (and its share of
/// `whole`, when given) on the right.
pub(super) fn bars<W: Write>(
    doc: &mut Doc<W>,
    id: &str,
    title: &str,
    desc: &str,
    bars: &[Bar<'_>],
    whole: Option<u64>,
) -> io::Result<()> {
    let height = GAP + bars.len() as u32 * (BAR_H + GAP);
    start(doc, id, height, title, desc)?;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let room = f64::from(WIDTH - LABEL_W - VALUE_W);
    for (i, bar) in bars.iter().enumerate() {
        let y = GAP + i as u32 * (BAR_H + GAP);
        let w = room * bar.value as f64 / max as f64;
        let value = match whole {
            Some(whole) if whole > 0 => {
                format!("{} ({}%)", bar.value, (bar.value * 100 + whole / 2) / whole)
            }
            _ => bar.value.to_string(),
        };
        doc.open("g", &[("class", bar.class)])?;
        doc.element(
            "text",
            &[
                ("x", &px(LABEL_W - 8)),
                ("y", &px(y + BAR_H / 2)),
                ("class", "label"),
                ("text-anchor", "end"),
                ("dominant-baseline", "middle"),
            ],
            bar.label,
        )?;
        doc.open(
            "rect",
            &[
                ("x", &px(LABEL_W)),
                ("y", &px(y)),
                ("width", &px(w.max(1.0))),
                ("height", &px(BAR_H)),
                ("rx", "3"),
            ],
        )?;
        doc.element("title", &[], &format!("{}: {value}", bar.label))?;
        doc.close("rect")?;
        doc.element(
            "text",
            &[
                ("x", &px(f64::from(LABEL_W) + w.max(1.0) + 6.0)),
                ("y", &px(y + BAR_H / 2)),
                ("class", "value"),
                ("dominant-baseline", "middle"),
            ],
            &value,
        )?;
        doc.close("g")?;
    }
    doc.close("svg")
}

/// Whole-number ticks from 0 to the first multiple of the step at or above `max` (at least
/// 1), the step being 1, 2 or 5 times a power of ten: at most five ticks.
fn ticks(max: u64) -> Vec<u64> {
    let max = max.max(1);
    let mut power = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = power.saturating_mul(m);
            let n = max.div_ceil(step);
            if n <= 4 {
                return (0..=n).map(|i| i.saturating_mul(step)).collect();
            }
        }
        power = power.saturating_mul(10);
    }
}

/// One stack of a column chart: its label and a value per series.
pub(super) struct Column<'a> {
    pub(super) label: &'a str,
    pub(super) values: Vec<u64>,
}

const COL_H: u32 = 220;
const AXIS_W: u32 = 48;
const TOP: u32 = 12;
const BOTTOM: u32 = 52;

/// Where a column chart puts a value: the axis's top value, and each column's slot and
/// width.
struct Scale {
    /// The axis ends at its last tick, so every grid line is a whole number of calls.
    max: u64,
    /// The width of one column's slot.
    slot: f64,
    /// The width of a column.
    bar_w: f64,
}

impl Scale {
    fn new(max: u64, columns: usize) -> Scale {
        let plot_w = f64::from(WIDTH - AXIS_W - 8);
        let slot = plot_w / columns.max(1) as f64;
        Scale {
            max,
            slot,
            bar_w: (slot * 0.8).clamp(1.0, 48.0),
        }
    }

    /// The height of value `v` on the axis.
    fn y_of(&self, v: u64) -> f64 {
        f64::from(TOP + COL_H) - f64::from(COL_H) * v as f64 / self.max as f64
    }
}

/// Stacked columns over time, bottom to top in the order of `series` (name, CSS class), with
/// a value axis and the first, middle and last labels under the axis.
pub(super) fn columns<W: Write>(
    doc: &mut Doc<W>,
    id: &str,
    title: &str,
    desc: &str,
    series: &[(&str, &str)],
    columns: &[Column<'_>],
) -> io::Result<()> {
    let height = TOP + COL_H + BOTTOM;
    start(doc, id, height, title, desc)?;
    let ticks = ticks(
        columns
            .iter()
            .map(|c| c.values.iter().sum::<u64>())
            .max()
            .unwrap_or(0),
    );
    let scale = Scale::new(ticks.last().copied().unwrap_or(1).max(1), columns.len());
    value_axis(doc, &ticks, &scale)?;
    for (i, column) in columns.iter().enumerate() {
        stack(doc, series, column, i, &scale)?;
    }
    period_labels(doc, columns, &scale)?;
    legend(doc, series)?;
    doc.close("svg")
}

/// The value axis, with grid lines.
fn value_axis<W: Write>(doc: &mut Doc<W>, ticks: &[u64], scale: &Scale) -> io::Result<()> {
    doc.open("g", &[("class", "axis")])?;
    for &tick in ticks {
        let y = px(scale.y_of(tick));
        doc.shape(
            "line",
            &[
                ("x1", &px(AXIS_W)),
                ("x2", &px(WIDTH - 8)),
                ("y1", &y),
                ("y2", &y),
            ],
        )?;
        doc.element(
            "text",
            &[
                ("x", &px(AXIS_W - 6)),
                ("y", &y),
                ("text-anchor", "end"),
                ("dominant-baseline", "middle"),
            ],
            &tick.to_string(),
        )?;
    }
    doc.close("g")
}

/// Column `i`: one rectangle per non-zero series value, stacked from the bottom.
fn stack<W: Write>(
    doc: &mut Doc<W>,
    series: &[(&str, &str)],
    column: &Column<'_>,
    i: usize,
    scale: &Scale,
) -> io::Result<()> {
    let x = f64::from(AXIS_W) + scale.slot * i as f64 + (scale.slot - scale.bar_w) / 2.0;
    let mut below = 0;
    for ((name, class), &value) in series.iter().zip(&column.values) {
        if value == 0 {
            continue;
        }
        let (top, bottom) = (scale.y_of(below + value), scale.y_of(below));
        doc.open(
            "rect",
            &[
                ("class", class),
                ("x", &px(x)),
                ("y", &px(top)),
                ("width", &px(scale.bar_w)),
                ("height", &px((bottom - top).max(0.5))),
            ],
        )?;
        doc.element("title", &[], &format!("{}: {value} {name}", column.label))?;
        doc.close("rect")?;
        below += value;
    }
    Ok(())
}

/// Labels under the axis: the first, the middle and the last period.
fn period_labels<W: Write>(
    doc: &mut Doc<W>,
    columns: &[Column<'_>],
    scale: &Scale,
) -> io::Result<()> {
    let mut shown = vec![0, columns.len() / 2, columns.len().saturating_sub(1)];
    shown.dedup();
    doc.open("g", &[("class", "axis")])?;
    for i in shown.into_iter().filter(|&i| i < columns.len()) {
        let x = f64::from(AXIS_W) + scale.slot * (i as f64 + 0.5);
        let anchor = match i {
            0 if columns.len() > 1 => "start",
            i if i + 1 == columns.len() && i > 0 => "end",
            _ => "middle",
        };
        let x = match anchor {
            "start" => f64::from(AXIS_W),
            "end" => f64::from(WIDTH - 8),
            _ => x,
        };
        doc.element(
            "text",
            &[
                ("x", &px(x)),
                ("y", &px(TOP + COL_H + 18)),
                ("text-anchor", anchor),
            ],
            columns[i].label,
        )?;
    }
    doc.close("g")
}

/// The legend: a swatch and the name of each series.
fn legend<W: Write>(doc: &mut Doc<W>, series: &[(&str, &str)]) -> io::Result<()> {
    let mut x = AXIS_W;
    for (name, class) in series {
        doc.shape(
            "rect",
            &[
                ("class", class),
                ("x", &px(x)),
                ("y", &px(TOP + COL_H + 32)),
                ("width", "12"),
                ("height", "12"),
            ],
        )?;
        doc.element(
            "text",
            &[
                ("class", "label"),
                ("x", &px(x + 18)),
                ("y", &px(TOP + COL_H + 42)),
            ],
            name,
        )?;
        x += 130;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ticks;

    #[test]
    fn axes_have_whole_number_ticks_that_reach_the_top() {
        assert_eq!(ticks(0), [0, 1]);
        assert_eq!(ticks(1), [0, 1]);
        assert_eq!(ticks(3), [0, 1, 2, 3]);
        assert_eq!(ticks(5), [0, 2, 4, 6]);
        assert_eq!(ticks(7), [0, 2, 4, 6, 8]);
        assert_eq!(ticks(41), [0, 20, 40, 60]);
        assert_eq!(ticks(1_000_000), [0, 500_000, 1_000_000]);
        assert!(ticks(u64::MAX).len() <= 5);
    }
}
