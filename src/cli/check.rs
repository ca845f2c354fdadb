//! `secretariat check`: every problem of the programme file, for people or as
//! JSON for scripts.

use std::process::ExitCode;

use secretariat::diagnostic::{Diagnostic, Failure};
use secretariat::pipeline;
use secretariat::typeset::FontOptions;

use super::args::{CheckArgs, Format, Output};
use super::{programme_file, report};

/// Checks the programme file. As JSON, every problem (failures included) goes
/// to standard output and the exit code tells whether it passed. With
/// `--verbose`, lists the ids made for imported rows that had none.
pub fn run(args: CheckArgs, output: &Output) -> Result<ExitCode, Failure> {
    let CheckArgs {
        programme,
        format,
        system_fonts,
        strict,
    } = args;
    // With no programme file found, the name it would have had, so that JSON
    // still reports the failure as a problem.
    let (programme, result) = match programme_file(programme) {
        Ok(programme) => {
            let result = pipeline::check_all(&programme, &FontOptions { system_fonts }, strict);
            (programme, result)
        }
        Err(failure) => ("programme.yaml".into(), Err(failure)),
    };
    if format == Format::Json {
        let problems = match &result {
            Ok((_, warnings)) => warnings.clone(),
            Err(Failure::Invalid(diags)) => diags.clone(),
            // Scripts read standard output: every failure is a problem there.
            Err(Failure::Documents(errors)) => errors
                .iter()
                .map(|e| Diagnostic::new(&programme, (0, 0), e.to_string()))
                .collect(),
            Err(Failure::Other(err)) => {
                vec![Diagnostic::new(&programme, (0, 0), format!("{err:#}"))]
            }
        };
        // As many as people are shown; the rest are counted.
        let shown = secretariat::limits::MAX_REPORTED_PROBLEMS;
        let report = serde_json::json!({
            "ok": result.is_ok(),
            "problems": &problems[..problems.len().min(shown)],
            "not_shown": problems.len().saturating_sub(shown),
        });
        println!("{report:#}");
        return Ok(if result.is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let (p, warnings) = result?;
    if output.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    report::emit(&warnings, output);
    if output.verbose {
        made_ids(&p);
    }
    let found = match warnings.len() {
        0 => "no problems found".to_string(),
        1 => "1 warning (--strict makes it an error)".to_string(),
        n => format!("{n} warnings (--strict makes them errors)"),
    };
    eprintln!(
        "{}: {} participants, {} staff, {} organisations, {} days: {found}",
        programme.display(),
        p.participants.len(),
        p.staff.len(),
        p.organisations.len(),
        p.days.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// A line per id made for an imported row (`made id TH-01 for
/// registrations.csv, row 2 (Siriporn Chaiyaphum)`), in the order of the rows.
fn made_ids(p: &secretariat::programme::Programme) {
    let mut made: Vec<_> = p
        .positions
        .imported
        .values()
        .filter_map(|origin| Some((origin, origin.made_id.as_deref()?)))
        .collect();
    made.sort_by(|a, b| (&a.0.file, a.0.row).cmp(&(&b.0.file, b.0.row)));
    for (origin, id) in made {
        let name = p
            .participants
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.name.as_str())
            .or_else(|| p.staff.iter().find(|x| x.id == id).map(|x| x.name.as_str()))
            .unwrap_or("?");
        let file = origin.file.file_name().unwrap_or(origin.file.as_os_str());
        eprintln!(
            "made id {id} for {}, {} ({})",
            file.to_string_lossy(),
            origin.place(None),
            secretariat::diagnostic::excerpt(name)
        );
    }
}
