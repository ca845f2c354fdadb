//! Reading the programme file: bytes → [`ProgrammeFile`], plus a map from each YAML
//! path to the line it is written on, so that later stages can say where a problem is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostic::Diagnostic;
use crate::schema::ProgrammeFile;

/// A programme file read and deserialised, not yet validated.
pub struct Loaded {
    pub file: ProgrammeFile,
    pub positions: Positions,
}

/// Line and column of every node in the file, keyed by its path
/// (`participants[3].absent[0]`, `documents.thank-you.signed_by`).
#[derive(Debug, Clone)]
pub struct Positions {
    pub path: PathBuf,
    map: HashMap<String, (usize, usize)>,
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

    /// A diagnostic at `path` in this file.
    pub fn at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(&self.path, self.of(path), message)
    }
}

/// Reads and deserialises the programme file.
pub fn load(path: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|err| {
        vec![Diagnostic::new(
            path,
            (0, 0),
            format!("cannot read the programme file: {err}"),
        )]
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
    let file: ProgrammeFile = serde_yaml::from_str(text).map_err(|err| {
        let pos = err
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        let mut message = err.to_string();
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
        vec![diag]
    })?;
    let positions = Positions {
        path: path.to_path_buf(),
        map: positions(text),
    };
    Ok(Loaded { file, positions })
}

/// The `id` (or `date`, for days) of the entry a serde path such as
/// `participants[10]` or `participants[10].absent[0]` lies in, when the text is
/// well-formed YAML.
fn entry_id(text: &str, path: &str) -> Option<String> {
    let (list, rest) = path.split_once('[')?;
    let index: usize = rest.split_once(']')?.0.parse().ok()?;
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    let item = value.get(list)?.get(index)?;
    let id = item.get("id").or_else(|| item.get("date"))?;
    match id {
        serde_yaml::Value::String(s) => Some(s.clone()),
        other => serde_yaml::to_string(other)
            .ok()
            .map(|s| s.trim().to_string()),
    }
}

/// Walks the YAML events once, recording where each node starts.
fn positions(text: &str) -> HashMap<String, (usize, usize)> {
    let mut recorder = Recorder::default();
    // The text already deserialised, so a parse error here is impossible in
    // practice; if it happens, positions are simply missing.
    let _ = Parser::new_from_str(text).load(&mut recorder, false);
    recorder.map
}

enum Frame {
    /// Inside a mapping: the key of the value to come, if it has been read.
    Mapping {
        prefix: String,
        key: Option<String>,
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
}

impl Recorder {
    /// The path of the node that starts now, or `None` when the event is a key.
    fn next_path(&mut self, event: &Event) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { prefix, index }) => {
                let path = format!("{prefix}[{index}]");
                *index += 1;
                Some(path)
            }
            Some(Frame::Mapping { prefix, key }) => match key.take() {
                Some(key) if prefix.is_empty() => Some(key),
                Some(key) => Some(format!("{prefix}.{key}")),
                None => {
                    if let Event::Scalar(value, ..) = event {
                        *key = Some(value.clone());
                    } else {
                        // Complex keys do not occur in a programme file.
                        *key = Some("?".into());
                    }
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = (mark.line(), mark.col() + 1);
        match &event {
            Event::Scalar(..) | Event::Alias(..) => {
                if let Some(path) = self.next_path(&event) {
                    self.map.insert(path, pos);
                }
            }
            Event::MappingStart(..) => {
                let prefix = self.next_path(&event).unwrap_or_default();
                self.map.insert(prefix.clone(), pos);
                self.stack.push(Frame::Mapping { prefix, key: None });
            }
            Event::SequenceStart(..) => {
                let prefix = self.next_path(&event).unwrap_or_default();
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
    fn records_lines_of_nested_entries() {
        let text = "a:\n  b: 1\nlist:\n  - id: x\n    when: [2018-01-01, 2018-01-02]\n";
        let map = positions(text);
        assert_eq!(map["a.b"].0, 2);
        assert_eq!(map["list[0]"].0, 4);
        assert_eq!(map["list[0].id"].0, 4);
        assert_eq!(map["list[0].when[1]"].0, 5);
    }
}
