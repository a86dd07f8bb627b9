//! The [`Report`] trait the commands hand their messages to, and the one question a run asks
//! at the terminal (whether to send).

use std::io::{self, Write};

use outdial::report::{Intent, Message};

/// Shows what a command reports.
pub trait Report {
    /// Shows one message. Fails only when writing fails; that matters where the output is the
    /// product (the posts of `compile`).
    fn report(&self, message: Message<'_>) -> io::Result<()>;

    /// Shows one message whatever becomes of it: a closed pipe (`outdial … | head`) is not an
    /// error worth reporting.
    fn show(&self, message: Message<'_>) {
        let _ = self.report(message);
    }

    /// Shows what a `send` is about to do and asks on the terminal whether to go on: `true`
    /// for a yes. The question is for the person at the terminal, so it goes to stderr in
    /// every format.
    fn confirm(&self, intent: &Intent<'_>) -> io::Result<bool> {
        {
            let mut err = io::stderr().lock();
            write!(err, "{}", intent_text(intent))?;
            write!(err, "Send now? [y/N] ")?;
            err.flush()?;
        }
        let mut answer = String::new();
        io::stdin().read_line(&mut answer)?;
        let yes = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
        if !yes {
            writeln!(io::stderr().lock(), "nothing sent")?;
        }
        Ok(yes)
    }
}

/// What a `send` is about to do, for people.
fn intent_text(intent: &Intent<'_>) -> String {
    let mut text = format!(
        "About to send \"{}\" to {}:\n  recipients  {}\n  posts       {}\n",
        intent.campaign, intent.provider, intent.recipients, intent.posts
    );
    for (i, endpoint) in intent.endpoints.iter().enumerate() {
        let label = if i == 0 { "endpoint" } else { "fallback" };
        text.push_str(&format!("  {label:<10}  {endpoint}\n"));
    }
    text.push_str(&format!("  journal     {}\n", intent.journal.display()));
    text.push_str(&format!("  changes     {}\n", intent.changes));
    if intent.unaskable {
        text.push_str(&format!(
            "  no record   nothing records an earlier send of this campaign, and {} cannot be asked which calls it holds: if it was sent from elsewhere, everyone in it is called again\n",
            intent.provider
        ));
    }
    text
}
