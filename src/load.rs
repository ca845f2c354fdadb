//! Reading the programme file: bytes → [`ProgrammeFile`], plus a map from each YAML
//! path to the line it is written on, so that later stages can say where a problem is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostic::{Diagnostic, excerpt};
use crate::schema::{People, ProgrammeFile};

/// A programme file read and deserialised, not yet validated.
pub struct Loaded {
    pub file: ProgrammeFile,
    pub positions: Positions,
    /// Every string in the file, for checks that apply to all text alike.
    pub strings: Vec<Text>,
}

/// A string of the file and where it is.
#[derive(Debug, Clone)]
pub struct Text {
    /// `participants[3].native_name`
    pub path: String,
    /// `participants[3] (MM-02)`, or the top-level key.
    pub entry: String,
    pub value: String,
}

use crate::limits::{MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES};

/// Line and column of every node in the file, keyed by its path
/// (`participants[3].absent[0]`, `documents.thank-you.signed_by`).
#[derive(Debug, Clone)]
pub struct Positions {
    pub path: PathBuf,
    map: HashMap<String, (usize, usize)>,
    /// Rows read from spreadsheets, by list entry (`participants[3]`).
    pub imported: HashMap<String, crate::import::Origin>,
}

impl Positions {
    /// The position of `path`, or of its nearest ancestor that has one.
    pub fn of(&self, path: &str) -> (usize, usize) {
        let mut path = path;
        loop {
            if let Some(&pos) = self.map.get(path) {
                return pos;
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return (0, 0),
            }
        }
    }

    /// A diagnostic at `path` in this file, or in the spreadsheet its entry
    /// was read from.
    pub fn at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        if let Some(end) = path.find(']')
            && let Some(origin) = self.imported.get(&path[..=end])
        {
            let field = path[end + 1..]
                .trim_start_matches('.')
                .split(['.', '['])
                .next();
            let field = field.filter(|f| !f.is_empty());
            return Diagnostic::new(&origin.file, (0, 0), message).place(origin.place(field));
        }
        Diagnostic::new(&self.path, self.of(path), message)
    }
}

/// Reads and deserialises the programme file.
pub fn load(path: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let bytes = crate::files::read_regular(path, MAX_FILE_BYTES).map_err(|refused| {
        let message = match refused {
            crate::files::Refused::TooLarge(max) => format!(
                "the programme file is larger than {} MB; a programme of 10,000 participants \
                 takes about 3 MB, so this is not a programme file",
                max >> 20
            ),
            other => format!(
                "cannot read the programme file: {}",
                other.describe(&path.display().to_string())
            ),
        };
        vec![Diagnostic::new(path, (0, 0), message)]
    })?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(err) => {
            let before = &bytes[..err.valid_up_to()];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            return Err(vec![Diagnostic::new(
                path,
                (line, column),
                "the file is not valid UTF-8; save it as UTF-8 text",
            )]);
        }
    };
    parse(path, text)
}

/// Deserialises programme text; `path` is only used to label diagnostics.
pub fn parse(path: &Path, text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    if text.trim().is_empty() {
        return Err(vec![Diagnostic::new(
            path,
            (1, 1),
            "the file is empty; a programme file starts with `programme:` (see data/programme.yaml)",
        )]);
    }
    // Both readers see the same text: a byte-order mark is not part of it.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    // Characters the two readers take differently (serde_yaml breaks lines
    // at U+2028, U+2029 and U+0085, yaml-rust2 does not) or report without a
    // line (NUL): refused before either reads the file.
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| {
        matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
            || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    }) {
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        return Err(vec![Diagnostic::new(
            path,
            (line, column),
            format!(
                "the file contains the invisible character U+{:04X} here; delete it (it often \
                 comes from copying out of a word processor or a PDF)",
                c as u32
            ),
        )]);
    }
    // Before serde sees it, one reading of the whole file that must succeed:
    // it records every node's position, and stops at what a programme file
    // has no need for and could be abused (anchors and aliases, which can
    // expand into a huge document; tags; duplicate keys; deep nesting).
    let refuse = |(pos, message): Problem| vec![Diagnostic::new(path, pos, message)];
    let map = positions(text).map_err(refuse)?;
    let file: ProgrammeFile = serde_yaml::from_str(text).map_err(|err| {
        let pos = err
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        let mut message = plain_words(&err.to_string());
        // The position is shown separately; serde_yaml also appends it.
        if let Some(cut) = message.rfind(" at line ") {
            message.truncate(cut);
        }
        let mut diag = Diagnostic::new(path, pos, message.clone());
        if let Some((entry, rest)) = message.split_once(": ")
            && let Some(id) = entry_id(text, entry)
        {
            diag = Diagnostic::new(path, pos, rest).entry(format!("{entry} ({id})"));
        }
        if let Some(hint) = unknown_key_hint(&message) {
            diag = diag.hint(hint);
        }
        vec![diag]
    })?;
    let mut file = file;
    let mut value: serde_yaml::Value = serde_yaml::from_str(text).unwrap_or_default();
    // People read from registration exports join the file as if written in it,
    // remembering where each row came from.
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let mut imported = HashMap::new();
    let mut problems = Vec::new();
    if let People::From(import) = &file.participants {
        match import_list(
            import,
            folder,
            path,
            "participants",
            crate::schema::fields::<crate::schema::Participant>(),
            &mut value,
            &mut imported,
        ) {
            Ok(list) => file.participants = People::List(list),
            Err(mut diags) => problems.append(&mut diags),
        }
    }
    if let People::From(import) = &file.staff {
        match import_list(
            import,
            folder,
            path,
            "staff",
            crate::schema::fields::<crate::schema::Staff>(),
            &mut value,
            &mut imported,
        ) {
            Ok(list) => file.staff = People::List(list),
            Err(mut diags) => problems.append(&mut diags),
        }
    }
    if !problems.is_empty() {
        // What concerns the import itself (`participants.from`) is located
        // at its line in the programme file.
        for diag in &mut problems {
            if *diag.file == *path
                && diag.line == 0
                && let Some(&(line, column)) = diag.entry.as_ref().and_then(|e| map.get(e.as_ref()))
            {
                diag.line = line as u32;
                diag.column = column as u32;
            }
        }
        return Err(problems);
    }
    let mut strings = Vec::new();
    collect_strings(&value, String::new(), &mut strings);
    for text in &mut strings {
        text.entry = entry_of(&value, &text.path);
    }
    let positions = Positions {
        path: path.to_path_buf(),
        map,
        imported,
    };
    Ok(Loaded {
        file,
        positions,
        strings,
    })
}

/// Reads an imported list, checks each row as the file's own entries are
/// checked, and puts the rows into `value` in place of the import.
#[allow(clippy::too_many_arguments)]
fn import_list<T: serde::de::DeserializeOwned>(
    import: &crate::schema::Import,
    folder: &Path,
    programme: &Path,
    list: &str,
    fields: &[&str],
    value: &mut serde_yaml::Value,
    imported: &mut HashMap<String, crate::import::Origin>,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    let rows = crate::import::read(import, folder, programme, list, fields)?;
    let mut people = Vec::new();
    let mut diags = Vec::new();
    for (i, (row, origin)) in rows.rows.iter().zip(&rows.origins).enumerate() {
        match serde_yaml::from_value::<T>(row.clone()) {
            Ok(person) => people.push(person),
            Err(err) => {
                let message = plain_words(&err.to_string());
                // The cell at fault: the field the message names, else the cell
                // whose text it quotes.
                let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
                let field = fields
                    .iter()
                    .copied()
                    .find(|f| quoted.contains(f))
                    .or_else(|| {
                        let map = row.as_mapping()?;
                        map.iter().find_map(|(k, v)| {
                            let text = v.as_str()?;
                            quoted.contains(&text).then(|| k.as_str()).flatten()
                        })
                    });
                let id = row.get("id").and_then(|v| v.as_str()).unwrap_or("?");
                diags.push(
                    Diagnostic::new(&origin.file, (0, 0), message.clone())
                        .entry(format!("{list}[{i}] ({id})"))
                        .place(origin.place(field)),
                );
            }
        }
        imported.insert(format!("{list}[{i}]"), origin.clone());
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    if let Some(map) = value.as_mapping_mut() {
        map.insert(list.into(), serde_yaml::Value::Sequence(rows.rows));
    }
    Ok(people)
}

fn collect_strings(value: &serde_yaml::Value, path: String, out: &mut Vec<Text>) {
    use serde_yaml::Value;
    match value {
        Value::String(s) => out.push(Text {
            path,
            entry: String::new(),
            value: s.clone(),
        }),
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_strings(item, format!("{path}[{i}]"), out);
            }
        }
        Value::Mapping(map) => {
            for (key, item) in map {
                let key = key.as_str().unwrap_or("?");
                let path = if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                };
                collect_strings(item, path, out);
            }
        }
        _ => {}
    }
}

/// How messages name the entry a path lies in: `participants[3] (MM-02)` for list
/// entries, else the path's first key.
fn entry_of(value: &serde_yaml::Value, path: &str) -> String {
    let top = path.split(['.', '[']).next().unwrap_or(path);
    if let Some(end) = path.find(']')
        && path[top.len()..].starts_with('[')
    {
        let list_entry = &path[..=end];
        if let Some(id) = entry_id_in(value, list_entry) {
            return format!("{list_entry} ({id})");
        }
        return list_entry.to_string();
    }
    top.to_string()
}

/// serde's words for types, in the words of the people who write the file.
fn plain_words(message: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("expected f64", "expected a number"),
        ("expected u32", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        (
            "expected a formatted date string",
            "expected a date written like 2024-05-13",
        ),
        ("expected a sequence", "expected a list"),
        ("expected struct ", "expected the settings of "),
        ("invalid type: ", ""),
    ];
    WORDS
        .iter()
        .fold(message.to_string(), |m, (from, to)| m.replace(from, to))
}

/// For serde's "unknown field `nmae`, expected one of `id`, `name`, …": the
/// nearest valid key.
fn unknown_key_hint(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let nearest = expected
        .iter()
        .map(|key| (strsim::damerau_levenshtein(unknown, key), *key))
        .filter(|(distance, key)| *distance <= (key.len() / 3).max(2))
        .min()?;
    Some(format!("did you mean `{}`?", nearest.1))
}

/// The `id` (or `date`, for days) of the entry a serde path such as
/// `participants[10]` or `participants[10].absent[0]` lies in, when the text is
/// well-formed YAML.
fn entry_id(text: &str, path: &str) -> Option<String> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    entry_id_in(&value, path)
}

fn entry_id_in(value: &serde_yaml::Value, path: &str) -> Option<String> {
    let (list, rest) = path.split_once('[')?;
    let index: usize = rest.split_once(']')?.0.parse().ok()?;
    let item = value.get(list)?.get(index)?;
    let id = item.get("id").or_else(|| item.get("date"))?;
    match id {
        serde_yaml::Value::String(s) => Some(s.clone()),
        other => serde_yaml::to_string(other)
            .ok()
            .map(|s| s.trim().to_string()),
    }
}

/// A position and what is wrong there.
type Problem = ((usize, usize), String);

/// Walks the YAML events once, recording where each node starts. Stops at the
/// first syntax error (this reader decides what is valid YAML: were serde_yaml
/// to read text this one does not, its positions and guards would be lost),
/// anchor or alias, tag, duplicate key, or nesting deeper than [`MAX_DEPTH`]
/// (flow `[ { ` and block style alike), so no input makes it work long.
fn positions(text: &str) -> Result<HashMap<String, (usize, usize)>, Problem> {
    let mut recorder = Recorder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => return Ok(recorder.map),
            Ok((event, mark)) => {
                recorder.on_event(event, mark);
                if let Some(problem) = recorder.problem {
                    return Err(problem);
                }
            }
            Err(err) => {
                let mark = err.marker();
                let line = text
                    .lines()
                    .nth(mark.line().saturating_sub(1))
                    .unwrap_or("");
                let tab = line.contains('\t');
                return Err(((mark.line(), mark.col() + 1), syntax_words(err.info(), tab)));
            }
        }
    }
}

/// The YAML reader's words for a syntax error, in plain words where a common
/// mistake is behind it (`tab`: there is a tab on the line).
fn syntax_words(info: &str, tab: bool) -> String {
    if tab || info.contains("tab") {
        "use spaces, not tabs, in a programme file (YAML reads tabs differently in \
         different places)"
            .into()
    } else if info.contains("recursion limit") {
        // Flow collections on one line are read whole before any of them is
        // reported, so this reader's own limit is met before ours.
        format!("the file nests more than {MAX_DEPTH} levels deep; a programme needs five")
    } else {
        format!("the file is not valid YAML here: {}", excerpt(info))
    }
}

enum Frame {
    /// Inside a mapping: the key of the value to come, if it has been read,
    /// and the keys seen so far.
    Mapping {
        prefix: String,
        key: Option<String>,
        keys: std::collections::HashSet<String>,
    },
    Sequence {
        prefix: String,
        index: usize,
    },
}

#[derive(Default)]
struct Recorder {
    stack: Vec<Frame>,
    map: HashMap<String, (usize, usize)>,
    problem: Option<Problem>,
    /// Values read so far.
    values: usize,
}

impl Recorder {
    /// The path of the node that starts now, or `None` when the event is a key.
    fn next_path(&mut self, event: &Event, pos: (usize, usize)) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { prefix, index }) => {
                let path = format!("{prefix}[{index}]");
                *index += 1;
                Some(path)
            }
            Some(Frame::Mapping { prefix, key, keys }) => match key.take() {
                Some(key) if prefix.is_empty() => Some(key),
                Some(key) => Some(format!("{prefix}.{key}")),
                None => {
                    let Event::Scalar(value, ..) = event else {
                        self.problem = Some((
                            pos,
                            "a key must be a plain word or text, not a list or a mapping".into(),
                        ));
                        return None;
                    };
                    if !keys.insert(value.clone()) {
                        self.problem = Some((
                            pos,
                            format!(
                                "`{}` is written twice in the same place; keep one (YAML \
                                 would silently use the last)",
                                excerpt(value)
                            ),
                        ));
                        return None;
                    }
                    *key = Some(value.clone());
                    None
                }
            },
        }
    }

    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = (mark.line(), mark.col() + 1);
        let (anchored, tagged) = match &event {
            Event::Alias(_) => (true, false),
            Event::Scalar(_, _, anchor, tag) => (*anchor > 0, tag.is_some()),
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                (*anchor > 0, tag.is_some())
            }
            _ => (false, false),
        };
        if anchored {
            self.problem = Some((
                pos,
                "YAML anchors and aliases (`&name`, `*name`, `<<:`) are not allowed in a \
                 programme file; write each value out"
                    .into(),
            ));
            return;
        }
        if tagged {
            self.problem = Some((
                pos,
                "YAML tags (`!!binary`, `!name`, `!!str`) are not allowed in a programme \
                 file; write the value plainly"
                    .into(),
            ));
            return;
        }
        if self.stack.len() >= MAX_DEPTH
            && matches!(event, Event::MappingStart(..) | Event::SequenceStart(..))
        {
            self.problem = Some((
                pos,
                format!("the file nests more than {MAX_DEPTH} levels deep; a programme needs five"),
            ));
            return;
        }
        // Keys are not counted: they come with their values.
        let value = match &event {
            Event::Scalar(..) => matches!(
                self.stack.last(),
                Some(Frame::Mapping { key: Some(_), .. }) | Some(Frame::Sequence { .. }) | None
            ),
            Event::MappingStart(..) | Event::SequenceStart(..) => true,
            _ => false,
        };
        if value {
            self.values += 1;
            if self.values > MAX_VALUES {
                self.problem = Some((
                    pos,
                    format!(
                        "the file holds more than {} values (a programme of 10,000 \
                         participants holds about 100,000); this is not a programme file, or \
                         a list in it has run away",
                        crate::diagnostic::grouped(MAX_VALUES as u64)
                    ),
                ));
                return;
            }
        }
        match &event {
            Event::Scalar(..) => {
                if let Some(path) = self.next_path(&event, pos) {
                    self.map.insert(path, pos);
                }
            }
            Event::MappingStart(..) => {
                let prefix = self.next_path(&event, pos).unwrap_or_default();
                self.map.insert(prefix.clone(), pos);
                self.stack.push(Frame::Mapping {
                    prefix,
                    key: None,
                    keys: Default::default(),
                });
            }
            Event::SequenceStart(..) => {
                let prefix = self.next_path(&event, pos).unwrap_or_default();
                self.map.insert(prefix.clone(), pos);
                self.stack.push(Frame::Sequence { prefix, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_suggest_the_nearest() {
        let message =
            "unknown field `nmae`, expected one of `id`, `honorific`, `name`, `native_name`";
        assert_eq!(
            unknown_key_hint(message).as_deref(),
            Some("did you mean `name`?")
        );
        assert_eq!(
            unknown_key_hint("unknown field `zzzzzz`, expected `id` or `name`"),
            None
        );
    }

    #[test]
    fn records_lines_of_nested_entries() {
        let text = "a:\n  b: 1\nlist:\n  - id: x\n    when: [2018-01-01, 2018-01-02]\n";
        let map = positions(text).unwrap();
        assert_eq!(map["a.b"].0, 2);
        assert_eq!(map["list[0]"].0, 4);
        assert_eq!(map["list[0].id"].0, 4);
        assert_eq!(map["list[0].when[1]"].0, 5);
    }
}
