//! `secretariat build`: every document into the zip, then the summary.

use std::io::IsTerminal;
use std::process::ExitCode;

use secretariat::diagnostic::Failure;
use secretariat::pipeline::{self, BuildOptions};
use secretariat::typeset::FontOptions;

use super::args::BuildArgs;
use super::{programme_file, report};

/// Builds the zip and tells what it holds; with `--quiet`, nothing.
pub fn run(args: BuildArgs) -> Result<ExitCode, Failure> {
    let BuildArgs {
        programme,
        out,
        system_fonts,
        timings,
        quiet,
        verbose,
        only,
        who,
        no_cache,
        strict,
    } = args;
    let out_cache = out.join(".cache");
    let report = pipeline::build(&BuildOptions {
        progress: !quiet && std::io::stderr().is_terminal(),
        programme: programme_file(programme),
        out,
        fonts: FontOptions { system_fonts },
        only,
        who,
        cache: !no_cache,
        strict,
    })?;
    if quiet {
        return Ok(ExitCode::SUCCESS);
    }
    secretariat::diagnostic::emit(&report.warnings);
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    report::summary(&report.summary);
    if verbose {
        for path in &report.typeset {
            eprintln!("typeset {path}");
        }
    }
    if report.reused > 0 {
        eprintln!(
            "typeset {} files, reused {} unchanged from {}",
            report.typeset.len(),
            report.reused,
            out_cache.display()
        );
    }
    if timings || verbose {
        for (stage, time) in &report.timings {
            eprintln!("timing: {stage}: {:.1} ms", time.as_secs_f64() * 1000.0);
        }
    }
    eprintln!("wrote {}", report.zip.display());
    Ok(ExitCode::SUCCESS)
}
