//! The subcommands, one module each, with the arguments they take ([`args`])
//! and how a run reports ([`report`]).

pub mod args;
pub mod build;
pub mod check;
pub mod init;
pub mod proof;
pub mod report;
pub mod templates;
pub mod verify;
pub mod watch;

use std::path::PathBuf;

use secretariat::diagnostic::Failure;

/// The programme file: the one named, else `programme.yaml` in this folder (a
/// folder made by `init`), else `data/programme.yaml`; when there is neither,
/// an error that says where it looked.
fn programme_file(named: Option<PathBuf>) -> Result<PathBuf, Failure> {
    if let Some(named) = named {
        return Ok(named);
    }
    let here = PathBuf::from("programme.yaml");
    let data = PathBuf::from("data/programme.yaml");
    if here.is_file() {
        Ok(here)
    } else if data.is_file() {
        Ok(data)
    } else {
        Err(Failure::Other(anyhow::anyhow!(
            "no programme.yaml here or in data/ (looked in {}); name the programme file, \
             e.g. `secretariat build my-seminar/programme.yaml`, or make one with \
             `secretariat init DIR`",
            std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|_| ".".into())
        )))
    }
}
