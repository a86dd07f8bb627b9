//! callTillConfirm: one request that makes the gateway start BroadcastByPhone, which keeps
//! calling a list until someone enters the confirm code (seed 000).
//!
//! The vendor's SDKs send it as one call request with a dummy `phoneno`, `startexec` (the
//! program) and `cmdline` (`"<list.voc>" -startnow -confirmcode <digits> -wavfile
//! "<file.wav>"`). The broadcast calls everyone on the list, so the request is made once for
//! the campaign: made per recipient, two recipients would start two broadcasts that each
//! call the whole list.

use toml::Spanned;

use super::Play;
use super::section::TillConfirm;
use crate::campaign::check::Checker;

/// The `phoneno` the SDKs send with callTillConfirm (the Python and Java clients).
pub const DUMMY_PHONENO: &str = "1111111";

/// The `info` the SDKs send with callTillConfirm.
pub const INFO: &str = "Simple Call till Confirm";

/// The command line the SDKs build.
pub fn cmdline(call_list: &str, confirm_code: &str, wavfile: &str) -> String {
    format!("\"{call_list}\" -startnow -confirmcode {confirm_code} -wavfile \"{wavfile}\"")
}

/// What the gateway runs.
pub(super) fn play(t: &TillConfirm) -> Play {
    Play::Exec {
        program: t.program.trim().to_owned(),
        cmdline: cmdline(t.call_list.trim(), t.confirm_code.trim(), t.wavfile.trim()),
        phoneno: t
            .phoneno
            .as_deref()
            .map_or(DUMMY_PHONENO, str::trim)
            .to_owned(),
    }
}

/// The table's values: paths not empty and without a `"` (the command line quotes them),
/// a confirm code of digits, no `cmdline` beside it.
pub(super) fn check(
    c: &mut Checker<'_>,
    t: &Spanned<TillConfirm>,
    cmdline: Option<&Spanned<String>>,
) -> bool {
    let mut ok = true;
    let v = t.get_ref();
    for (key, value) in [
        ("program", &v.program),
        ("call_list", &v.call_list),
        ("wavfile", &v.wavfile),
    ] {
        let text = value.trim();
        if text.is_empty() || text.contains('"') {
            c.error(
                "voicent::bad-till-confirm",
                format!("till_confirm.{key} is empty or holds a `\"`"),
                t.span(),
                "in this table",
                format!("give the path of the file on the gateway host in till_confirm.{key}"),
            );
            ok = false;
        }
    }
    let code = v.confirm_code.trim();
    if code.is_empty() || code.len() > 16 || !code.bytes().all(|b| b.is_ascii_digit()) {
        c.error(
            "voicent::bad-till-confirm",
            format!("till_confirm.confirm_code \"{code}\" is not 1 to 16 digits"),
            t.span(),
            "in this table",
            "write the digits a person enters to stop the calling, e.g. \"911911\"",
        );
        ok = false;
    }
    if let Some(cmd) = cmdline {
        c.error(
            "voicent::till-confirm-cmdline",
            "cmdline is given beside till_confirm, which writes the command line itself",
            cmd.span(),
            "not used",
            "remove cmdline (or till_confirm, to give startexec and cmdline yourself)",
        );
        ok = false;
    }
    ok
}
