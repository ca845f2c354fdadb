//! `secretariat build`: every document into the zip, then the summary.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use secretariat::diagnostic::Failure;
use secretariat::pipeline::{self, BuildOptions};
use secretariat::typeset::FontOptions;

use super::args::{BuildArgs, Output};
use super::{programme_file, report};

/// Builds the zip and tells what it holds; with `--quiet`, nothing.
pub fn run(args: BuildArgs, output: &Output) -> Result<ExitCode, Failure> {
    build(&args, output)?;
    Ok(ExitCode::SUCCESS)
}

/// One build, reported as `output` says; `watch` runs it on every change.
/// Returns the zip written.
pub fn build(args: &BuildArgs, output: &Output) -> Result<PathBuf, Failure> {
    let BuildArgs {
        programme,
        out,
        system_fonts,
        timings,
        only,
        who,
        no_cache,
        strict,
    } = args.clone();
    let Output { quiet, verbose, .. } = *output;
    let out_cache = out.join(".cache");
    let report = pipeline::build(&BuildOptions {
        progress: !quiet && std::io::stderr().is_terminal(),
        programme: programme_file(programme)?,
        out,
        fonts: FontOptions { system_fonts },
        only,
        who,
        cache: !no_cache,
        strict,
    })?;
    if quiet {
        return Ok(report.zip);
    }
    report::emit(&report.warnings, output);
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
    Ok(report.zip)
}
