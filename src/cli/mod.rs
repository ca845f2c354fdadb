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

use std::path::PathBuf;

/// The programme file: the one named, else `programme.yaml` in this folder (a
/// folder made by `init`), else `data/programme.yaml`.
fn programme_file(named: Option<PathBuf>) -> PathBuf {
    named.unwrap_or_else(|| {
        let here = PathBuf::from("programme.yaml");
        if here.is_file() {
            here
        } else {
            PathBuf::from("data/programme.yaml")
        }
    })
}
