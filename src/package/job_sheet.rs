//! The printer's job sheet: every print file with its pages, paper, sides, stock
//! and copies, as `print/job-sheet.pdf` and `print/job-sheet.csv`.

use serde::Serialize;

use chrono::NaiveDateTime;

use super::Entry;
use super::cache::Cache;
use crate::context::{Date, ProgrammeView};
use crate::diagnostic::{DocumentError, Failure};
use crate::programme::Programme;
use crate::typeset::{Expect, Run, typeset_one};

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
    /// What is done to the printed sheets: cutting (size, how many per
    /// sheet, bleed), folding, or nothing.
    pub finishing: String,
    /// The inks: every file carries a colour logo or accent; text, rules and
    /// marks are black ink alone.
    pub ink: &'static str,
    pub copies: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobSheetContext<'a> {
    pub programme: ProgrammeView<'a>,
    /// The build's date.
    pub date: Date,
    pub jobs: Vec<Job>,
}

/// The jobs for the print files among `entries`.
pub fn jobs(entries: &[Entry], badges: &crate::programme::BadgeSettings) -> Vec<Job> {
    let badges_double_sided = badges.double_sided;
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
                sides: match (duplex, e.kind) {
                    (false, _) => "simplex",
                    // Back sheets mirror the fronts left to right: turned
                    // about the sheet's vertical axis, which is its short
                    // edge when the sheet lies landscape.
                    (true, "badges") if badges.sheet.sheet.0 > badges.sheet.sheet.1 => {
                        "duplex (short edge)"
                    }
                    (true, _) => "duplex (long edge)",
                },
                // Worn for two weeks or framed: card. Everything else: office paper.
                stock: match e.kind {
                    "certificates" | "badges" => "250 gsm card",
                    _ => "80 gsm paper",
                },
                finishing: finishing(e.kind, badges),
                ink: "colour (CMYK); text in black ink only",
                copies: 1,
            }
        })
        .collect()
}

/// What the print shop does to a kind's sheets once printed.
fn finishing(kind: &str, badges: &crate::programme::BadgeSettings) -> String {
    let layout = &badges.sheet;
    match kind {
        "badges" => format!(
            "{} {} x {} mm{}, {} per sheet ({} x {}); {}",
            if layout.marks {
                "cut to"
            } else {
                "pre-cut stock of"
            },
            mm(layout.badge.0),
            mm(layout.badge.1),
            if layout.marks {
                " at the crop marks"
            } else {
                " (no crop marks)"
            },
            layout.columns * layout.rows,
            layout.columns,
            layout.rows,
            bleed(layout),
        ),
        "invitations" | "requests" | "thank-you" => {
            "fold in three for a window envelope (each letter starts on a new sheet)".into()
        }
        _ => "none (flat sheets)".into(),
    }
}

/// How far the badges' artwork runs past the cut, as the print shop needs to
/// know it: all round, and less between badges when the gap is narrower than
/// two bleeds.
fn bleed(layout: &crate::typeset::impose::SheetLayout) -> String {
    let between = layout.bleed.min(layout.gap / 2.0);
    let several = layout.columns * layout.rows > 1;
    match (layout.bleed > 0.0, several && between < layout.bleed) {
        (false, _) => "no bleed".into(),
        (true, false) => format!("{} mm bleed", mm(layout.bleed)),
        (true, true) => format!(
            "{} mm bleed ({} mm on sides facing another badge)",
            mm(layout.bleed),
            mm(between)
        ),
    }
}

/// A length in millimetres as a print shop writes it: `3`, `2.5`.
fn mm(length: f64) -> String {
    let rounded = (length * 100.0).round() / 100.0;
    format!("{rounded}")
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
    // For Excel, as the register (see `UTF8_BOM`).
    let mut csv = csv::Writer::from_writer(super::UTF8_BOM.to_vec());
    csv.write_record([
        "file",
        "kind",
        "pages",
        "paper",
        "sides",
        "stock",
        "finishing",
        "ink",
        "copies",
    ])?;
    for job in jobs {
        csv.write_record([
            job.path.as_str(),
            job.kind,
            &job.pages.to_string(),
            &job.paper,
            job.sides,
            job.stock,
            &job.finishing,
            job.ink,
            &job.copies.to_string(),
        ])?;
    }
    Ok(csv.into_inner()?)
}

/// Adds the printer's job sheet, as PDF and CSV, when there are print files.
pub fn add(
    programme: &Programme,
    run: &Run,
    timestamp: NaiveDateTime,
    entries: &mut Vec<Entry>,
) -> Result<(), Failure> {
    let jobs = jobs(entries, &programme.documents.badges);
    if jobs.is_empty() {
        return Ok(());
    }
    let name = "job-sheet.typ.j2";
    let path = "print/job-sheet.pdf";
    let context = JobSheetContext {
        programme: crate::context::programme(programme),
        date: timestamp.date().into(),
        jobs: jobs.clone(),
    };
    let value = minijinja::Value::from(minijinja::value::Serde(&context));
    let source = run
        .templates
        .render(name, &value)
        .map_err(|d| Failure::Invalid(vec![d]))?;
    let key = Cache::key(&[
        run.fingerprint.as_bytes(),
        path.as_bytes(),
        source.as_bytes(),
    ]);
    // The print shop's instructions, not a document for the programme's readers.
    let expect = Expect {
        pages: None,
        tagged: false,
    };
    let sheet = typeset_one(run, &key, path, name, &source, expect, None)
        .map_err(|e| Failure::Documents(vec![DocumentError::one("print job sheet", e)]))?;
    entries.push(Entry::pdf(path, "job-sheet", key, &sheet));
    entries.push(Entry::data("print/job-sheet.csv", "job-sheet", csv(&jobs)?));
    Ok(())
}
