//! `secretariat templates list` and `secretariat templates export`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use secretariat::diagnostic::Failure;

use super::programme_file;

/// Lists the built-in templates, and which the programme's templates/ folder
/// overrides.
pub fn list(programme: Option<PathBuf>) -> Result<ExitCode, Failure> {
    let programme = programme_file(programme);
    let folder = match programme.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let templates = secretariat::render::Templates::new(folder);
    for name in secretariat::render::builtin_names() {
        if templates.overridden(name) {
            println!(
                "{name}  (overridden by {})",
                templates.origin(name).display()
            );
        } else {
            println!("{name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Copies the built-in templates into `dir`, keeping files that exist.
pub fn export(dir: &Path) -> Result<ExitCode, Failure> {
    match secretariat::render::export(dir) {
        Ok((written, kept)) => {
            for path in &written {
                eprintln!("wrote {}", path.display());
            }
            for path in &kept {
                eprintln!("kept {} (it exists)", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => Err(Failure::Other(anyhow::anyhow!(
            "cannot export templates to {}: {err}",
            dir.display()
        ))),
    }
}
