//! A problem as people read it: miette's picture (message, source excerpt, labels) wrapped to
//! the terminal, then the help on lines of its own that are never wrapped, since the help is
//! where suggested commands are and a command broken over two lines does not paste.

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use outdial::diagnostic::Problem;

/// Renders `problem` with `handler`, its help after the picture, unwrapped.
pub fn render(
    handler: &GraphicalReportHandler,
    theme: &GraphicalTheme,
    problem: &Problem,
) -> String {
    let mut text = String::new();
    if handler
        .render_report(&mut text, &WithoutHelp(problem))
        .is_err()
    {
        text = format!("{problem}\n");
    }
    if let Some(help) = problem.help_text() {
        let label = theme.styles.help.style("help:");
        for (i, line) in help.lines().enumerate() {
            let indent = if i == 0 {
                format!("  {label} ")
            } else {
                " ".repeat(8)
            };
            text.push_str(&format!("{indent}{line}\n"));
        }
    }
    text
}

/// The problem with its help left out of miette's picture.
struct WithoutHelp<'a>(&'a Problem);

impl fmt::Debug for WithoutHelp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for WithoutHelp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for WithoutHelp<'_> {}

impl Diagnostic for WithoutHelp<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Diagnostic::code(self.0)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Diagnostic::severity(self.0)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.url()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.0.related()
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.0.diagnostic_source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A help longer than the width stays one line: the command in it pastes whole.
    #[test]
    fn a_long_help_is_not_wrapped_but_the_message_is() {
        let theme = GraphicalTheme::unicode_nocolor();
        let handler = GraphicalReportHandler::new_themed(theme.clone()).with_width(60);
        let command = "sox 'sounds/stereo44.wav' -r 8000 -c 1 -b 16 -e signed-integer 'sounds/stereo44-8k.wav'";
        let problem = Problem::error(
            "audio::wrong-format",
            "the audio is 44100 Hz stereo 16-bit PCM, but calls need 8000 Hz mono 16-bit PCM",
        )
        .help(format!("convert it: {command}\nthen check it again"));
        let text = render(&handler, &theme, &problem);
        assert!(
            text.contains(&format!(
                "\n  help: convert it: {command}\n        then check it again\n"
            )),
            "{text}"
        );
        assert!(
            text.lines().any(|l| l.trim_end().ends_with("but calls")),
            "the message is still wrapped at 60: {text}"
        );
        assert_eq!(text.matches("help:").count(), 1, "{text}");
    }
}
