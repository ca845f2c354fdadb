//! Problems found in the user's input, each pointing at a place in a file.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in the programme file (or a template), with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line; 0 when the problem has no single place.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// The entry concerned, e.g. `participants[3] (MM-02)`.
    pub entry: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(file: &Path, (line, column): (usize, usize), message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line,
            column,
            entry: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn entry(mut self, entry: impl Into<String>) -> Self {
        self.entry = Some(entry.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: ")?;
        if let Some(entry) = &self.entry {
            write!(f, "{entry}: ")?;
        }
        write!(f, "{}", self.message)?;
        write!(f, "\n  --> {}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// Everything that can stop a run, sorted by what the user has to do about it.
#[derive(Debug)]
pub enum Failure {
    /// The programme (or a template) is wrong; every problem found is listed.
    Invalid(Vec<Diagnostic>),
    /// Documents could not be produced; one message per failed document.
    Documents(Vec<String>),
    /// The environment failed us (I/O and the like).
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Self {
        Failure::Other(err)
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(diags: Vec<Diagnostic>) -> Self {
        Failure::Invalid(diags)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Invalid(diags) => {
                for diag in diags {
                    writeln!(f, "{diag}\n")?;
                }
                let n = diags.len();
                write!(
                    f,
                    "error: {n} problem{} found; nothing was written",
                    if n == 1 { "" } else { "s" }
                )
            }
            Failure::Documents(errors) => {
                for error in errors {
                    writeln!(f, "error: {error}\n")?;
                }
                write!(f, "error: documents could not be made; nothing was written")
            }
            Failure::Other(err) => write!(f, "error: {err:#}"),
        }
    }
}
