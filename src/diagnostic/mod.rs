//! Problems found in the user's input, each pointing at a place in a file.

mod emit;

use std::fmt;
use std::path::Path;

/// How much a problem matters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Nothing is written until it is fixed.
    #[default]
    Error,
    /// The documents can be made, but a recipient would notice; `--strict`
    /// makes it an error.
    Warning,
}

/// One problem in the programme file (or a template), with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: Box<Path>,
    /// 1-based line; 0 when the problem has no single place (`null` in JSON).
    #[serde(serialize_with = "unknown_is_null")]
    pub line: u32,
    /// 1-based column; 0 when unknown (`null` in JSON).
    #[serde(serialize_with = "unknown_is_null")]
    pub column: u32,
    /// The entry concerned, e.g. `participants[3] (MM-02)`.
    pub entry: Option<Box<str>>,
    pub message: String,
    // Boxed, like `place`: diagnostics travel in `Result`s, and stay small.
    pub hint: Option<Box<str>>,
    /// Where in a file that is not text (a spreadsheet): `sheet "Participants",
    /// row 5, column C`; in JSON `{"sheet": …, "row": 5, "column": "C"}`.
    pub place: Option<Box<crate::import::Cell>>,
    /// The file's text, when it is not a file on disk (a built-in template).
    #[serde(skip)]
    pub source: Option<std::sync::Arc<str>>,
}

/// A line or column that is not known (0) is `null` in JSON, never 0.
fn unknown_is_null<S: serde::Serializer>(n: &u32, s: S) -> Result<S::Ok, S::Error> {
    match n {
        0 => s.serialize_none(),
        n => s.serialize_some(n),
    }
}

impl Diagnostic {
    pub fn new(file: &Path, (line, column): (usize, usize), message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.into(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            entry: None,
            message: shorten_quotes(&message.into()),
            hint: None,
            place: None,
            source: None,
        }
    }

    /// The same problem, as a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn place(mut self, place: crate::import::Cell) -> Self {
        self.place = Some(Box::new(place));
        self
    }

    pub fn entry(mut self, entry: impl Into<String>) -> Self {
        self.entry = Some(entry.into().into_boxed_str());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(shorten_quotes(&hint.into()).into_boxed_str());
        self
    }
}

/// `text` as a message may quote it: at most
/// [`MAX_EXCERPT_CHARS`](crate::limits::MAX_EXCERPT_CHARS) characters, control
/// characters shown as `?`, longer text cut with `…`. Messages quote input
/// only through this, so an error never prints more than a glimpse of a file
/// (a misplaced secret, a huge value).
pub fn excerpt(text: &str) -> String {
    let max = crate::limits::MAX_EXCERPT_CHARS;
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// `1234567` → `1,234,567`, as numbers are written in messages.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `message` with every quoted part (between backticks or double quotes)
/// cut to an [`excerpt`]: whatever quoted input a message was built from (a
/// reader's error quotes the whole value), it shows a glimpse only.
fn shorten_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..open + 1];
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        match rest.find(quote) {
            Some(close) => {
                out.push_str(&excerpt(&rest[..close]));
                out.push_str(quote);
                rest = &rest[close + 1..];
            }
            None => {
                out.push_str(&excerpt(rest));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Severity::Error => write!(f, "error: ")?,
            Severity::Warning => write!(f, "warning: ")?,
        }
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
        if let Some(place) = &self.place {
            write!(f, ", {place}")?;
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
    /// Documents could not be produced; one entry per distinct error, with
    /// the documents it stopped.
    Documents(Vec<DocumentError>),
    /// The environment failed us (I/O and the like).
    Other(anyhow::Error),
}

/// An error that stopped one or more documents (a broken template stops
/// every document made from it the same way).
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentError {
    /// What the documents are, as messages name them: `badge for TH-01
    /// (Siriporn Chaiyaphum)`, `print/badges.pdf`.
    pub documents: Vec<String>,
    pub error: String,
}

impl DocumentError {
    /// One document's error.
    pub fn one(document: impl Into<String>, error: impl Into<String>) -> Self {
        Self {
            documents: vec![document.into()],
            error: error.into(),
        }
    }
}

impl fmt::Display for DocumentError {
    /// Up to three documents by name, else two and how many more.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (labels, error) = (&self.documents, &self.error);
        match labels.len() {
            n if n <= 3 => write!(f, "{}: {error}", labels.join(", ")),
            n => write!(
                f,
                "{} and {} other documents: {error}",
                labels[..2].join(", "),
                n - 2
            ),
        }
    }
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
                    "error: {n} problem{} found",
                    if n == 1 { "" } else { "s" }
                )
            }
            Failure::Documents(errors) => {
                for error in errors {
                    writeln!(f, "error: {error}\n")?;
                }
                write!(f, "error: documents could not be made")
            }
            Failure::Other(err) => write!(f, "error: {err:#}"),
        }
    }
}

pub use emit::emit;

/// The candidate nearest `word` (by edit distance, a transposition counting
/// once), when near enough to be a slip of it: for "did you mean" hints.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(200), "200");
        assert_eq!(grouped(300_000), "300,000");
        assert_eq!(grouped(1_000_000_000_000), "1,000,000,000,000");
    }

    #[test]
    fn messages_quote_input_as_excerpts_only() {
        let huge = "s".repeat(10_000);
        let diag = Diagnostic::new(
            Path::new("p.yaml"),
            (1, 1),
            format!("value `{huge}` is bad"),
        )
        .hint(format!("not \"{huge}\""));
        assert!(diag.message.len() < 120, "{}", diag.message);
        assert!(diag.message.ends_with("…` is bad"));
        assert!(diag.hint.unwrap().len() < 120);
        assert_eq!(excerpt("a\u{0}b"), "a?b");
    }
}
