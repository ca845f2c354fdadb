//! `secretariat proof`: build, then the contact sheet of every page.

use std::io::IsTerminal;
use std::process::ExitCode;

use secretariat::diagnostic::Failure;
use secretariat::pipeline::BuildOptions;
use secretariat::typeset::FontOptions;

use super::args::{Output, ProofArgs};
use super::programme_file;

/// Builds, renders the proof (and the page images with `--png`) and says where.
pub fn run(args: ProofArgs, output: &Output) -> Result<ExitCode, Failure> {
    let ProofArgs {
        programme,
        out,
        only,
        who,
        png,
        dpi,
        system_fonts,
    } = args;
    let report = secretariat::proof::proof(
        &BuildOptions {
            progress: !output.quiet && std::io::stderr().is_terminal(),
            programme: programme_file(programme)?,
            out,
            fonts: FontOptions { system_fonts },
            only,
            who,
            cache: true,
            strict: false,
        },
        png.as_deref(),
        dpi,
    )?;
    if output.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    if !report.pngs.is_empty() {
        eprintln!("wrote {} page images", report.pngs.len());
    }
    eprintln!(
        "wrote {} ({} pages in thumbnails)",
        report.sheet.display(),
        report.pages
    );
    Ok(ExitCode::SUCCESS)
}
