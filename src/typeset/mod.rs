//! Typesetting: one Typst world serving every document of a run, the workers
//! that typeset them side by side, and the print files assembled from them.

mod finish;
mod fonts;
mod frames;
pub mod impose;
mod print;
mod run;
mod text_layer;
mod workers;
mod world;

pub use frames::{DrawnRun, drawn_runs, drawn_svgs, drawn_text, visit_text, walk};
pub use print::print_files;
pub use run::{Done, Expect, Run, documents, typeset_one};
pub use workers::parallel;
pub use world::{Dependencies, FontOptions, Typesetter, TypstError, sha256};
