//! Typesetting: one Typst world serving every document of a run, the workers
//! that typeset them side by side, and the print files assembled from them.

mod assemble;
mod finish;
mod fonts;
mod frames;
pub mod impose;
mod pdf_objects;
mod print;
mod run;
mod text_layer;
mod workers;
mod world;

pub use frames::{DrawnRun, drawn_runs, drawn_svgs, drawn_text, misprinted, visit_text, walk};
pub use print::print_files;
pub use run::{Done, Expect, Run, documents, typeset_one};
pub use workers::parallel;
pub use world::{Dependencies, FontOptions, Typesetter, TypstError, sha256};

/// `source` typeset in an empty programme folder with the built-in fonts,
/// for unit tests.
#[cfg(test)]
fn typeset_alone(source: &str) -> typst_layout::PagedDocument {
    let folder = tempfile::tempdir().unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2018, 10, 24).unwrap();
    let typesetter = Typesetter::new(
        folder.path(),
        &Default::default(),
        day,
        day.and_hms_opt(9, 0, 0).unwrap(),
    )
    .unwrap();
    typesetter.compile(source).map_err(|_| "typeset").unwrap()
}

/// Typst's own export of `source` (tagged, as Typst's default), nothing
/// added.
#[cfg(test)]
fn exported(source: &str) -> Vec<u8> {
    let document = typeset_alone(source);
    typst_pdf::pdf(&document, &Default::default())
        .map_err(|_| "export")
        .unwrap()
}
