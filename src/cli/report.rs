//! How a run reports: the table a build ends with, and a failure.

use secretariat::diagnostic::Failure;
use secretariat::pipeline;

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
pub fn failure(failure: &Failure, building: bool) {
    match failure {
        Failure::Invalid(diags) => {
            secretariat::diagnostic::emit(diags);
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
