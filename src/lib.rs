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

/// Turns transparent huge pages off for this process: the binary calls it
/// first thing, and so does the bench that measures floors in-process.
/// mimalloc asks for huge pages, and the kernel then zeroes two megabytes
/// wherever a page is first touched: a third of the CPU time of the
/// reference programme's build went to zeroing memory mostly never used.
/// Without them, over three alternating runs each, that build took 0.57 to
/// 0.66 s against 0.60 to 0.84 s (system time 0.11 to 0.18 s against 0.16
/// to 0.49 s) and peaked at 175 MB instead of 235 MB. It applies to every
/// page touched from then on, whatever mimalloc reserved before.
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory
    // of ours; a kernel without it refuses, and the run goes on as before.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_once_asked() {
        super::no_huge_pages();
        // SAFETY: as above; PR_GET_THP_DISABLE returns the flag.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }
}
