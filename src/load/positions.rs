//! Where each node of the programme file is: a map from its YAML path to
//! its line and column, recorded by one reading of the file that also refuses
//! what a programme file has no need for.

use std::collections::HashMap;
use std::path::PathBuf;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostic::{Diagnostic, excerpt};
use crate::limits::{MAX_DEPTH, MAX_VALUES};

/// Line and column of every node in the file, keyed by its path
/// (`participants[3].absent[0]`, `documents.thank-you.signed_by`).
#[derive(Debug, Clone, Default)]
pub struct Positions {
    pub path: PathBuf,
    pub(super) map: HashMap<String, (usize, usize)>,
    /// Where each key is written, by the path of its value: an unknown key is
    /// shown at the key.
    pub(super) keys: HashMap<String, (usize, usize)>,
    /// Rows read from spreadsheets, by list entry (`participants[3]`).
    pub imported: HashMap<String, crate::import::Origin>,
    /// Lists some entries of which could not be read: by the list's path as
    /// written, the positions in the file of the entries that were. Later
    /// stages number entries as they see them; messages show the file's.
    pub(super) renumbered: HashMap<String, Vec<usize>>,
}

impl Positions {
    /// `path` (or a message's entry, `participants[3] (MM-02)`) with each list
    /// index as the file numbers its entries, where entries before it could
    /// not be read and were left out.
    pub fn original(&self, path: &str) -> String {
        if self.renumbered.is_empty() {
            return path.to_string();
        }
        let mut out = String::with_capacity(path.len());
        let mut rest = path;
        while let Some(open) = rest.find('[') {
            out.push_str(&rest[..=open]);
            let Some(close) = rest[open..].find(']').map(|c| open + c) else {
                break;
            };
            let index = &rest[open + 1..close];
            let list = &out[..out.len() - 1];
            let mapped = index
                .parse::<usize>()
                .ok()
                .and_then(|i| self.renumbered.get(list).and_then(|kept| kept.get(i)));
            match mapped {
                Some(original) => out.push_str(&original.to_string()),
                None => out.push_str(index),
            }
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }

    /// Whether the file writes `path` (in the file's numbering).
    pub fn has(&self, path: &str) -> bool {
        self.map.contains_key(path)
    }

    /// Whether some entries of the list at `list` could not be read.
    pub fn left_out(&self, list: &str) -> bool {
        self.renumbered.contains_key(list)
    }

    /// Where the key of `path` is written, else where its value is.
    pub fn key(&self, path: &str) -> (usize, usize) {
        match self.keys.get(&self.original(path)) {
            Some(&pos) => pos,
            None => self.of(path),
        }
    }

    /// The position of `path`, or of its nearest ancestor that has one.
    pub fn of(&self, path: &str) -> (usize, usize) {
        self.of_original(&self.original(path))
    }

    fn of_original(&self, path: &str) -> (usize, usize) {
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
        let path = &self.original(path);
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
        Diagnostic::new(&self.path, self.of_original(path), message)
    }
}

/// A position and what is wrong there.
pub(super) type Problem = ((usize, usize), String);

/// Where each value, and each key, of the file starts.
pub(super) struct Recorded {
    pub values: HashMap<String, (usize, usize)>,
    pub keys: HashMap<String, (usize, usize)>,
}

/// Walks the YAML events once, recording where each node starts. Stops at the
/// first syntax error (this reader decides what is valid YAML: were serde_yaml
/// to read text this one does not, its positions and guards would be lost),
/// anchor or alias, tag, duplicate key, or nesting deeper than [`MAX_DEPTH`]
/// (flow `[ { ` and block style alike), so no input makes it work long.
pub(super) fn positions(text: &str) -> Result<Recorded, Problem> {
    let mut recorder = Recorder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => {
                return Ok(Recorded {
                    values: recorder.map,
                    keys: recorder.keys,
                });
            }
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
    keys: HashMap<String, (usize, usize)>,
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
                    let path = match prefix.is_empty() {
                        true => value.clone(),
                        false => format!("{prefix}.{value}"),
                    };
                    self.keys.insert(path, pos);
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
    fn messages_number_entries_as_the_file_does() {
        let mut positions = Positions::default();
        positions.renumbered.insert("days".into(), vec![0, 2, 3]);
        positions
            .renumbered
            .insert("days[2].sessions".into(), vec![1]);
        assert_eq!(
            positions.original("days[1] (2024-05-14)"),
            "days[2] (2024-05-14)"
        );
        assert_eq!(
            positions.original("days[1].sessions[0].with[0]"),
            "days[2].sessions[1].with[0]"
        );
        assert_eq!(positions.original("participants[4]"), "participants[4]");
    }

    #[test]
    fn records_lines_of_nested_entries() {
        let text = "a:\n  b: 1\nlist:\n  - id: x\n    when: [2018-01-01, 2018-01-02]\n";
        let map = positions(text).unwrap().values;
        assert_eq!(map["a.b"].0, 2);
        assert_eq!(map["list[0]"].0, 4);
        assert_eq!(map["list[0].id"].0, 4);
        assert_eq!(map["list[0].when[1]"].0, 5);
    }
}
