//! The printer's job sheet: every print file with its pages, paper, sides, stock
//! and copies, as `print/job-sheet.pdf` and `print/job-sheet.csv`.

use serde::Serialize;

use crate::context::{Date, ProgrammeView};
use crate::package::Entry;

/// One print job.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub path: String,
    pub kind: &'static str,
    pub pages: usize,
    /// `A4 portrait`, `A4 landscape`, `A4 portrait and landscape`, `90 x 55 mm`
    pub paper: String,
    /// `simplex` or `duplex`
    pub sides: &'static str,
    pub stock: &'static str,
    pub copies: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobSheetContext {
    pub programme: ProgrammeView,
    /// The build's date.
    pub date: Date,
    pub jobs: Vec<Job>,
}

/// The jobs for the print files among `entries`.
pub fn jobs(entries: &[Entry], badges_double_sided: bool) -> Vec<Job> {
    entries
        .iter()
        .filter(|e| e.path.starts_with("print/") && e.path.ends_with(".pdf"))
        .map(|e| {
            let duplex = match e.kind {
                "invitations" | "requests" | "thank-you" | "participants" => true,
                "badges" => badges_double_sided,
                _ => false,
            };
            Job {
                path: e.path.clone(),
                kind: e.kind,
                pages: e.pages.len(),
                paper: paper(&e.pages),
                sides: if duplex {
                    "duplex (long edge)"
                } else {
                    "simplex"
                },
                // Worn for two weeks or framed: card. Everything else: office paper.
                stock: match e.kind {
                    "certificates" | "badges" => "250 gsm card",
                    _ => "80 gsm paper",
                },
                copies: 1,
            }
        })
        .collect()
}

/// How the pages' sizes read on a job sheet.
fn paper(pages: &[(f64, f64)]) -> String {
    let mut names: Vec<String> = Vec::new();
    for &(w, h) in pages {
        let name = match (w.round() as i64, h.round() as i64) {
            (210, 297) => "A4 portrait".to_string(),
            (297, 210) => "A4 landscape".to_string(),
            (297, 420) => "A3 portrait".to_string(),
            (216, 279) => "Letter portrait".to_string(),
            (w, h) => format!("{w} x {h} mm"),
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(" and ")
}

/// The same as CSV.
pub fn csv(jobs: &[Job]) -> anyhow::Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["file", "kind", "pages", "paper", "sides", "stock", "copies"])?;
    for job in jobs {
        csv.write_record([
            job.path.as_str(),
            job.kind,
            &job.pages.to_string(),
            &job.paper,
            job.sides,
            job.stock,
            &job.copies.to_string(),
        ])?;
    }
    Ok(csv.into_inner()?)
}
