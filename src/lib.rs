//! secretariat: one YAML programme definition in, every printed document of a
//! training programme out, typeset with Typst and packed into one zip.
//!
//! The stages, each a module: [`load`] the file, [`validate`] it into a
//! [`programme::Programme`], [`plan`] the documents, [`render`] their templates
//! (with the [`context`] templates see), [`typeset`] them, [`impose`] badges on
//! print sheets and [`package`] the zip.
//! [`pipeline`] runs them in order.

pub mod context;
pub mod contradictions;
pub mod diagnostic;
pub mod fallbacks;
pub mod files;
pub mod import;
pub mod init;
pub mod limits;
pub mod load;
pub mod package;
pub mod paper;
pub mod pipeline;
pub mod plan;
pub mod preflight;
pub mod programme;
pub mod proof;
pub mod render;
pub mod schema;
pub mod typeset;
pub mod validate;
pub mod verify;
