//! `secretariat templates list` and `secretariat templates export`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use secretariat::diagnostic::Failure;

use super::args::Output;
use super::programme_file;

/// Lists the built-in templates, and which the programme's templates/ folder
/// overrides (none without a programme).
pub fn list(programme: Option<PathBuf>) -> Result<ExitCode, Failure> {
    let programme = programme_file(programme).unwrap_or_else(|_| "programme.yaml".into());
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

/// Copies the built-in templates into `dir`, all of them or those `names`
/// select (see [`selected`]), keeping files that exist.
pub fn export(dir: &Path, names: &[String], output: &Output) -> Result<ExitCode, Failure> {
    let chosen = selected(names)?;
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for name in chosen {
        let source = secretariat::render::builtin(name).expect("a built-in template's name");
        match secretariat::files::create_new_inside(dir, name, source.as_bytes()) {
            Ok(true) => written.push(dir.join(name)),
            Ok(false) => kept.push(dir.join(name)),
            Err(err) => {
                return Err(Failure::Other(anyhow::anyhow!(
                    "cannot export {name} to {}: {err}",
                    dir.join(name).display()
                )));
            }
        }
    }
    if !output.quiet {
        for path in &written {
            eprintln!("wrote {}", path.display());
        }
        for path in &kept {
            eprintln!("kept {} (it exists)", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The built-in templates `names` select, in their order: all when none is
/// given. A name selects the template of that name, with or without
/// `.typ.j2`, and those under it (`requests`: `requests.en.typ.j2` and
/// `requests.ja.typ.j2`; `partials`: every partial). A name that selects
/// nothing is an error listing the names.
fn selected(names: &[String]) -> Result<Vec<&'static str>, Failure> {
    let all: Vec<&'static str> = secretariat::render::builtin_names().collect();
    if names.is_empty() {
        return Ok(all);
    }
    let picks = |wanted: &str, name: &str| {
        let wanted = wanted.trim_end_matches('/');
        name == wanted
            || name.strip_suffix(".typ.j2") == Some(wanted)
            || name
                .strip_prefix(wanted)
                .is_some_and(|rest| rest.starts_with(['.', '/']))
    };
    let unknown: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|wanted| !all.iter().any(|name| picks(wanted, name)))
        .collect();
    if !unknown.is_empty() {
        let stems: Vec<&str> = all
            .iter()
            .map(|n| n.strip_suffix(".typ.j2").unwrap_or(n))
            .collect();
        return Err(Failure::Other(anyhow::anyhow!(
            "no built-in template is called {}; the templates are {}",
            unknown
                .iter()
                .map(|u| format!("`{}`", secretariat::diagnostic::excerpt(u)))
                .collect::<Vec<_>>()
                .join(", "),
            stems.join(", ")
        )));
    }
    Ok(all
        .into_iter()
        .filter(|name| names.iter().any(|wanted| picks(wanted, name)))
        .collect())
}
