//! Printing diagnostics as rustc and typst do, with codespan-reporting.

use std::path::Path;

use super::{Diagnostic, Severity};

/// Prints diagnostics the way rustc and typst do: file, line and column, the
/// offending line quoted with a caret under the place, and a hint where one helps.
/// In colour when `colour` (the command line decides). At most
/// [`MAX_REPORTED_PROBLEMS`](crate::limits::MAX_REPORTED_PROBLEMS) are shown;
/// the rest are counted.
pub fn emit(diags: &[Diagnostic], colour: bool) {
    use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
    let choice = if colour {
        ColorChoice::Always
    } else {
        ColorChoice::Never
    };
    let stream = StandardStream::stderr(choice);
    let mut out = stream.lock();
    let mut files = std::collections::HashMap::new();
    let shown = crate::limits::MAX_REPORTED_PROBLEMS;
    for diag in diags.iter().take(shown) {
        if emit_one(&mut out, diag, &mut files).is_err() {
            eprintln!("{diag}\n");
        }
    }
    if diags.len() > shown {
        eprintln!(
            "… and {} more problems, not shown; fix these and run again",
            diags.len() - shown
        );
    }
}

/// The line a diagnostic quotes, as a source of that one line (earlier lines
/// empty, so line numbers stay right), cut to a window around the column when
/// it is long: a quote shows the place, never a whole file or a huge value.
fn quoted_line(text: &str, line: usize, column: usize) -> (String, usize) {
    let Some(whole) = text.lines().nth(line.saturating_sub(1)) else {
        return (String::new(), column);
    };
    let max = crate::limits::MAX_EXCERPT_CHARS;
    let chars = whole.chars().count();
    // `from` characters are cut, and `…` stands for them: the column moves
    // left by `from` and right by one.
    let (from, column) = if chars <= max || column <= max / 2 {
        (0, column)
    } else {
        (column - max / 2, max / 2 + 1)
    };
    // Tabs are the file's own; any other control character would reach the
    // terminal as a command.
    let mut shown: String = whole
        .chars()
        .skip(from)
        .take(max)
        .map(|c| if c.is_control() && c != '\t' { '?' } else { c })
        .collect();
    if from > 0 {
        shown.insert(0, '…');
    }
    if from + max < chars {
        shown.push('…');
    }
    (
        format!("{}{shown}", "\n".repeat(line.saturating_sub(1))),
        column,
    )
}

fn emit_one(
    out: &mut dyn codespan_reporting::term::termcolor::WriteColor,
    diag: &Diagnostic,
    files: &mut std::collections::HashMap<Box<Path>, String>,
) -> Result<(), codespan_reporting::files::Error> {
    use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
    use codespan_reporting::files::SimpleFile;
    use codespan_reporting::term;

    // Lossy, so that even a file that is not UTF-8 shows the offending line.
    let text = match &diag.source {
        Some(source) => source.to_string(),
        // A place in a spreadsheet has no line to show.
        None if diag.place.is_some() => String::new(),
        None => files
            .entry(diag.file.clone())
            .or_insert_with(|| {
                crate::files::read_regular(&diag.file, crate::limits::MAX_FILE_BYTES)
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .unwrap_or_default()
            })
            .clone(),
    };
    let (source, column) = quoted_line(&text, diag.line as usize, diag.column as usize);
    let message = match &diag.entry {
        Some(entry) => format!("{entry}: {}", diag.message),
        None => diag.message.clone(),
    };
    let mut report = match diag.severity {
        Severity::Error => Report::error(),
        Severity::Warning => Report::warning(),
    }
    .with_message(message);
    if let Some(range) = span(&source, diag.line as usize, column) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_quoted_around_its_column() {
        let line = format!("key: {}TARGET{}", "x".repeat(500), "y".repeat(500));
        let text = format!("first\n{line}\n");
        let (source, column) = quoted_line(&text, 2, 506);
        let quoted = source.lines().nth(1).unwrap();
        assert!(quoted.chars().count() <= crate::limits::MAX_EXCERPT_CHARS + 2);
        let at: String = quoted.chars().skip(column - 1).take(6).collect();
        assert_eq!(at, "TARGET");
        assert_eq!(quoted_line(&text, 1, 1), ("first".to_string(), 1));
        let escape = "title: \u{1b}]0;PWNED\u{7}";
        assert!(!quoted_line(escape, 1, 1).0.contains('\u{1b}'));
    }
}
