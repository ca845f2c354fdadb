//! Problems found in the user's input, each pointing at a place in a file.

use std::fmt;
use std::path::Path;

/// One problem in the programme file (or a template), with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub file: Box<Path>,
    /// 1-based line; 0 when the problem has no single place.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub column: u32,
    /// The entry concerned, e.g. `participants[3] (MM-02)`.
    pub entry: Option<String>,
    pub message: String,
    // Boxed, like `place`: diagnostics travel in `Result`s, and stay small.
    pub hint: Option<Box<str>>,
    /// Where in a file that is not text (a spreadsheet): `sheet "Participants",
    /// row 5, column C`.
    pub place: Option<Box<str>>,
    /// The file's text, when it is not a file on disk (a built-in template).
    #[serde(skip)]
    pub source: Option<std::sync::Arc<str>>,
}

impl Diagnostic {
    pub fn new(file: &Path, (line, column): (usize, usize), message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            entry: None,
            message: message.into(),
            hint: None,
            place: None,
            source: None,
        }
    }

    pub fn place(mut self, place: impl Into<String>) -> Self {
        self.place = Some(place.into().into_boxed_str());
        self
    }

    pub fn entry(mut self, entry: impl Into<String>) -> Self {
        self.entry = Some(entry.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into().into_boxed_str());
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

/// Prints diagnostics the way rustc and typst do: file, line and column, the
/// offending line quoted with a caret under the place, and a hint where one helps.
/// Colour only on a terminal, and never when `NO_COLOR` is set.
pub fn emit(diags: &[Diagnostic]) {
    use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
    use std::io::IsTerminal;
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let choice = if colour {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let stream = StandardStream::stderr(choice);
    let mut out = stream.lock();
    for diag in diags {
        if emit_one(&mut out, diag).is_err() {
            eprintln!("{diag}\n");
        }
    }
}

fn emit_one(
    out: &mut dyn codespan_reporting::term::termcolor::WriteColor,
    diag: &Diagnostic,
) -> Result<(), codespan_reporting::files::Error> {
    use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
    use codespan_reporting::files::SimpleFile;
    use codespan_reporting::term;

    // Lossy, so that even a file that is not UTF-8 shows the offending line.
    let source = match &diag.source {
        Some(source) => source.to_string(),
        // A place in a spreadsheet has no line to show.
        None if diag.place.is_some() => String::new(),
        None => std::fs::read(&diag.file)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default(),
    };
    let message = match &diag.entry {
        Some(entry) => format!("{entry}: {}", diag.message),
        None => diag.message.clone(),
    };
    let mut report = Report::error().with_message(message);
    if let Some(range) = span(&source, diag.line as usize, diag.column as usize) {
        report = report.with_labels(vec![Label::primary((), range)]);
    } else {
        report = report.with_notes(vec![format!("in {}", location(diag))]);
    }
    if let Some(hint) = &diag.hint {
        report = report.with_notes(vec![format!("hint: {hint}")]);
    }
    let file = SimpleFile::new(diag.file.display().to_string(), source);
    term::emit(out, &term::Config::default(), &file, &report)
}

/// `file:line:column`, or as much of it as is known.
fn location(diag: &Diagnostic) -> String {
    if let Some(place) = &diag.place {
        return format!("{}, {place}", diag.file.display());
    }
    match (diag.line, diag.column) {
        (0, _) => diag.file.display().to_string(),
        (line, 0) => format!("{}:{line}", diag.file.display()),
        (line, column) => format!("{}:{line}:{column}", diag.file.display()),
    }
}

/// The byte range a diagnostic points at: the token starting at its line and
/// column, or the whole line when the column is unknown.
fn span(source: &str, line: usize, column: usize) -> Option<std::ops::Range<usize>> {
    if line == 0 {
        return None;
    }
    let start_of_line = source
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>();
    let text = source.get(start_of_line..)?.lines().next()?;
    if column == 0 {
        let indent = text.len() - text.trim_start().len();
        return Some(start_of_line + indent..start_of_line + text.len());
    }
    let offset: usize = text.chars().take(column - 1).map(char::len_utf8).sum();
    let rest = text.get(offset..)?;
    // A token ends at a space or YAML punctuation; a colon ends it only as a
    // key's colon, so `09:30` stays whole.
    let mut end = rest.len();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let key_colon = c == ':' && chars.peek().is_none_or(|(_, next)| next.is_whitespace());
        if c.is_whitespace() || matches!(c, ',' | ']' | '}' | '#') || key_colon {
            end = i;
            break;
        }
    }
    let token = end.max(rest.chars().next().map_or(0, char::len_utf8));
    Some(start_of_line + offset..start_of_line + offset + token)
}
