//! How a run reports: in colour or not, the table a build ends with, and a
//! failure.

use std::io::IsTerminal;

use secretariat::diagnostic::{Diagnostic, Failure};
use secretariat::pipeline;

use super::args::{Colour, Output};

/// Whether messages are coloured: as `--color` says, and with `auto` on a
/// terminal only, unless `NO_COLOR` is set to something (an empty `NO_COLOR`
/// is unset, as no-color.org defines it) or the terminal is dumb.
pub fn colour(choice: Colour) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    match choice {
        Colour::Always => true,
        Colour::Never => false,
        Colour::Auto => {
            std::io::stderr().is_terminal()
                && !set("NO_COLOR")
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// Prints diagnostics as `--color` says.
pub fn emit(diags: &[Diagnostic], output: &Output) {
    secretariat::diagnostic::emit(diags, colour(output.color));
}

/// The table a build ends with: per kind, documents, pages, print sheets and time.
pub fn summary(summary: &[pipeline::KindSummary]) {
    eprintln!(
        "{:<14}{:>10}{:>8}{:>14}{:>9}",
        "kind", "documents", "pages", "print sheets", "time"
    );
    for s in summary {
        eprintln!(
            "{:<14}{:>10}{:>8}{:>14}{:>8.2}s",
            s.kind.key(),
            s.documents,
            s.pages,
            s.print_pages,
            s.seconds
        );
    }
    let total = |f: fn(&pipeline::KindSummary) -> usize| summary.iter().map(f).sum::<usize>();
    eprintln!(
        "{:<14}{:>10}{:>8}{:>14}{:>8.2}s",
        "total",
        total(|s| s.documents),
        total(|s| s.pages),
        total(|s| s.print_pages),
        summary.iter().map(|s| s.seconds).sum::<f64>()
    );
}

/// A failure, and for a subcommand that builds (`building`), what it wrote
/// before failing.
pub fn failure(failure: &Failure, building: bool, output: &Output) {
    match failure {
        Failure::Invalid(diags) => {
            emit(diags, output);
            let n = diags.len();
            eprintln!("error: {n} problem{} found", if n == 1 { "" } else { "s" });
        }
        other => eprintln!("{other}"),
    }
    if building {
        // Only what is true: the document cache may have been filled,
        // and a proof may fail after its zip was written.
        let written = secretariat::files::written();
        if written.is_empty() {
            eprintln!("no zip was written; any earlier one is unchanged");
        } else {
            for path in written {
                eprintln!("{} was written before the failure", path.display());
            }
        }
    }
}
