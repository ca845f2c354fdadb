//! `secretariat init`: a new programme folder with a small example.

use std::path::Path;
use std::process::ExitCode;

use secretariat::diagnostic::Failure;

use super::args::Output;

/// Creates the folder and says what to do next.
pub fn run(dir: &Path, output: &Output) -> Result<ExitCode, Failure> {
    match secretariat::init::init(dir) {
        Ok(_) if output.quiet => Ok(ExitCode::SUCCESS),
        Ok(written) => {
            for path in &written {
                eprintln!("wrote {}", path.display());
            }
            eprintln!(
                "next: edit {}, then run `secretariat build {}`",
                dir.join("programme.yaml").display(),
                dir.join("programme.yaml").display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => Err(Failure::Other(anyhow::anyhow!(
            "cannot create {}: {err}",
            dir.display()
        ))),
    }
}
