//! Where state is kept, as the command line says (`--state`): a location that cannot be one,
//! or a command that needs a store and has none, is refused with what to do.

use outdial::diagnostic::Problem;
use outdial::report::Message;
use outdial::state::StateLocation;

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Where state is kept (`--state`), or the problem reported.
pub fn location(config: &Config, out: &dyn Report) -> Result<StateLocation, Exit> {
    config.state().map_err(|e| {
        out.show(Message::Problem(&Problem::error(
            "state::location",
            e.to_string(),
        )));
        Exit::from(&e)
    })
}

/// The state store a command needs (`state push`, `state pull`): refused with what to do when
/// `--state` names none.
pub fn store(config: &Config, out: &dyn Report) -> Result<outdial::state::PgLocation, Exit> {
    match location(config, out)? {
        StateLocation::Postgres(pg) => Ok(*pg),
        StateLocation::Local => {
            out.show(Message::Problem(
                &Problem::error(
                    "state::none",
                    "this command copies between the local journal and a state store, and none is named",
                )
                .help("give --state postgres://USER@HOST/DB, or set OUTDIAL_STATE"),
            ));
            Err(Exit::Usage)
        }
    }
}
