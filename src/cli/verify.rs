//! `secretariat verify`: whose certificate a verification code is, if any.

use std::path::PathBuf;
use std::process::ExitCode;

use secretariat::diagnostic::Failure;
use secretariat::pipeline;

use super::programme_file;

/// Prints whose certificate `code` is; a code of no certificate is an answer,
/// not a failure, and exits with 1.
pub fn run(code: &str, programme: Option<PathBuf>) -> Result<ExitCode, Failure> {
    let programme = programme_file(programme)?;
    match pipeline::verify(&programme, code)? {
        Some((title, row)) => {
            println!(
                "valid: certificate {} issued to {} ({}, {}) for {title}",
                row.number, row.name, row.participant, row.country
            );
            Ok(ExitCode::SUCCESS)
        }
        None => {
            println!(
                "not valid: no certificate of {} has the code {code}",
                programme.display()
            );
            Ok(ExitCode::from(1))
        }
    }
}
