//! Reading the programme file: bytes → [`ProgrammeFile`], plus a map from each YAML
//! path to the line it is written on, so that later stages can say where a problem is.

use std::collections::HashMap;
use std::path::Path;

mod entries;
mod paths;
mod positions;
mod words;

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::schema::ProgrammeFile;

pub use positions::Positions;
use positions::{Problem, positions};

/// A programme file read and deserialised, not yet validated.
pub struct Loaded {
    pub file: ProgrammeFile,
    pub positions: Positions,
    /// Every string in the file, for checks that apply to all text alike.
    pub strings: Vec<Text>,
    /// What could not be read (entries left out of `file`); validation adds
    /// its own and reports them all.
    pub problems: Vec<Diagnostic>,
    /// The ids (dates, for days) of entries left out: references to them are
    /// not reported again.
    pub broken: BTreeSet<String>,
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

use crate::limits::MAX_FILE_BYTES;

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
    let recorded = positions(text).map_err(refuse)?;
    let mut value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|err| {
        let pos = err.location().map_or((0, 0), |l| (l.line(), l.column()));
        let mut message = err.to_string();
        if let Some(cut) = message.rfind(" at line ") {
            message.truncate(cut);
        }
        vec![Diagnostic::new(path, pos, message)]
    })?;
    let mut positions = Positions {
        path: path.to_path_buf(),
        map: recorded.values,
        keys: recorded.keys,
        ..Positions::default()
    };
    // People read from registration exports join the file as if written in it,
    // remembering where each row came from.
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let mut imported = HashMap::new();
    let mut problems = Vec::new();
    let participants = import_people::<crate::schema::Participant>(
        "participants",
        (folder, path),
        &mut value,
        &mut imported,
        &mut problems,
    );
    let staff = import_people::<crate::schema::Staff>(
        "staff",
        (folder, path),
        &mut value,
        &mut imported,
        &mut problems,
    );
    // What concerns the import itself (`participants.from`) is located at
    // its line in the programme file.
    for diag in &mut problems {
        if *diag.file == *path
            && diag.line == 0
            && let Some(&(line, column)) = diag
                .entry
                .as_ref()
                .and_then(|e| positions.map.get(e.as_ref()))
        {
            diag.line = line as u32;
            diag.column = column as u32;
        }
    }
    let read = entries::read(&value, &positions, (participants, staff));
    problems.extend(read.problems);
    let Some(file) = read.file else {
        return Err(problems);
    };
    positions.imported = imported;
    positions.renumbered = read.renumbered;
    let mut strings = Vec::new();
    collect_strings(&value, String::new(), &mut strings);
    for text in &mut strings {
        text.entry = entry_of(&value, &text.path);
    }
    Ok(Loaded {
        file,
        positions,
        strings,
        problems,
        broken: read.broken,
    })
}

/// The people of `list` when the file reads them from a registration export
/// (`{from: …}`): `None` when the list is written in the file. A problem with
/// the export goes to `problems` and leaves the list empty.
fn import_people<T: serde::de::DeserializeOwned>(
    list: &str,
    (folder, programme): (&Path, &Path),
    value: &mut serde_yaml::Value,
    imported: &mut HashMap<String, crate::import::Origin>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Vec<T>> {
    let written = value.get(list).filter(|v| v.is_mapping())?;
    let import: crate::schema::Import = match serde_yaml::from_value(written.clone()) {
        Ok(import) => import,
        Err(err) => {
            problems.push(
                Diagnostic::new(
                    programme,
                    (0, 0),
                    words::plain_words(&err.to_string(), None),
                )
                .entry(list),
            );
            return Some(Vec::new());
        }
    };
    let fields = crate::schema::fields::<T>();
    match import_list(&import, folder, programme, list, fields, value, imported) {
        Ok(people) => Some(people),
        Err(mut diags) => {
            problems.append(&mut diags);
            Some(Vec::new())
        }
    }
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
                let message = words::plain_words(&err.to_string(), None);
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
