//! Reading the file section by section and list entry by entry, so that one
//! bad entry does not hide the next, and every problem of a run is reported
//! in it.
//!
//! An entry that does not deserialise is read again without what was wrong
//! (an unknown key, a value of the wrong kind, a list item that is not a
//! date), so its other problems show too. An entry that lacks something it
//! cannot do without is left out; its id is remembered so that references to
//! it do not add errors of their own, and positions keep the file's numbering
//! (see [`Positions::original`]).

use std::collections::{BTreeSet, HashMap};

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use super::paths::{Step, node, node_mut, original_path, parse_steps, remove};
use super::positions::Positions;
use super::words::{
    listed, missing_field, nearest, plain_words, unknown_field, unknown_key_hint, unknown_variant,
    what,
};
use crate::diagnostic::{Diagnostic, excerpt};
use crate::limits::MAX_ENTRY_PROBLEMS;
use crate::schema::{
    Day, Documents, Organisation, People, ProgrammeFile, ProgrammeInfo, Signatory,
};

/// What reading the file's value found.
pub(super) struct Read {
    /// `None` when the `programme:` section itself cannot be read: nothing
    /// can be checked without its dates and language.
    pub file: Option<ProgrammeFile>,
    pub problems: Vec<Diagnostic>,
    /// See [`Positions::renumbered`].
    pub renumbered: HashMap<String, Vec<usize>>,
    /// The ids (dates, for days) of entries left out.
    pub broken: BTreeSet<String>,
}

/// Deserialises `value`, the whole file; `positions` locate what is wrong
/// (in the file's own numbering: nothing is renumbered yet). The lists of
/// people already read from a registration export are given.
pub(super) fn read(
    value: &Value,
    positions: &Positions,
    imported: (
        Option<Vec<crate::schema::Participant>>,
        Option<Vec<crate::schema::Staff>>,
    ),
) -> Read {
    let mut reader = Reader {
        positions,
        problems: Vec::new(),
        renumbered: HashMap::new(),
        broken: BTreeSet::new(),
    };
    let file = reader.file(value, imported);
    Read {
        file,
        problems: reader.problems,
        renumbered: reader.renumbered,
        broken: reader.broken,
    }
}

struct Reader<'a> {
    positions: &'a Positions,
    problems: Vec<Diagnostic>,
    renumbered: HashMap<String, Vec<usize>>,
    broken: BTreeSet<String>,
}

/// The top-level keys, as the file writes them.
const SECTIONS: &[&str] = &[
    "programme",
    "signatories",
    "documents",
    "organisations",
    "participants",
    "staff",
    "days",
];

impl Reader<'_> {
    fn file(
        &mut self,
        value: &Value,
        (participants, staff): (
            Option<Vec<crate::schema::Participant>>,
            Option<Vec<crate::schema::Staff>>,
        ),
    ) -> Option<ProgrammeFile> {
        let Some(map) = value.as_mapping() else {
            self.problem(
                Diagnostic::new(&self.positions.path, (1, 1), "a programme file is a set of sections, starting with `programme:` (see data/programme.yaml)"),
            );
            return None;
        };
        for key in map.keys() {
            let name = key.as_str().unwrap_or("?");
            if !SECTIONS.contains(&name) {
                let mut diag = Diagnostic::new(
                    &self.positions.path,
                    self.positions.key(name),
                    format!("unknown section `{}`", excerpt(name)),
                );
                diag = diag.hint(match nearest(name, SECTIONS) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("the sections are {}", listed(SECTIONS)),
                });
                self.problem(diag);
            }
        }
        let section = |key: &str| value.get(key).filter(|v| !v.is_null());
        let programme: Option<ProgrammeInfo> = match section("programme") {
            Some(v) => self.entry(v, "programme"),
            None => {
                self.problem(Diagnostic::new(
                    &self.positions.path,
                    (1, 1),
                    "the file has no `programme:` section; it starts with the programme's \
                     title, dates and host (see data/programme.yaml)",
                ));
                None
            }
        };
        let documents: Documents = section("documents")
            .and_then(|v| self.entry(v, "documents"))
            .unwrap_or_default();
        let signatories: Vec<Signatory> = self.list(section("signatories"), "signatories");
        let organisations: Vec<Organisation> = self.list(section("organisations"), "organisations");
        let days: Vec<Day> = self.list(section("days"), "days");
        let participants = match participants {
            Some(list) => list,
            None => self.list(section("participants"), "participants"),
        };
        let staff = match staff {
            Some(list) => list,
            None => self.list(section("staff"), "staff"),
        };
        Some(ProgrammeFile {
            programme: programme?,
            signatories,
            documents,
            organisations,
            participants: People::List(participants),
            staff: People::List(staff),
            days,
        })
    }

    fn problem(&mut self, diag: Diagnostic) {
        self.problems.push(diag);
    }

    /// Each entry of the list at `path` that can be read.
    fn list<T: DeserializeOwned>(&mut self, value: Option<&Value>, path: &str) -> Vec<T> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Some(items) = value.as_sequence() else {
            let diag = self.positions.at(
                path,
                format!("`{path}` is a list: each entry starts with `- `"),
            );
            self.problem(diag);
            return Vec::new();
        };
        let mut kept = Vec::with_capacity(items.len());
        let mut read = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("{path}[{i}]");
            match self.entry(item, &at) {
                Some(entry) => {
                    read.push(entry);
                    kept.push(i);
                }
                None => {
                    if let Some(id) = item.get("id").or_else(|| item.get("date")) {
                        self.broken.insert(scalar(id));
                    }
                }
            }
        }
        if kept.len() < items.len() {
            self.renumbered.insert(path.to_string(), kept);
        }
        read
    }

    /// The entry at `path`, read as well as it can be: each problem reported,
    /// what caused it left out, and read again; `None` when what is left
    /// cannot stand.
    fn entry<T: DeserializeOwned>(&mut self, value: &Value, path: &str) -> Option<T> {
        // Messages name a list entry by its place and id, a section's
        // setting by its whole path.
        let entry_label = entry_label(value, path);
        let label = |at: &str| match path.ends_with(']') {
            true => entry_label.clone(),
            false => at.to_string(),
        };
        let mut value = value.clone();
        // Items removed from lists inside the entry, by the list's path in the
        // file's numbering: what is reported after a removal keeps its place.
        let mut removed: HashMap<String, Vec<usize>> = HashMap::new();
        // Keys this reader removed (by path): their absence is not reported again.
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for _ in 0..MAX_ENTRY_PROBLEMS {
            let err = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
                Ok(entry) => {
                    for (list, gone) in removed {
                        let now = node(&value, &parse_steps(&list))
                            .and_then(Value::as_sequence)
                            .map_or(0, Vec::len);
                        let kept = (0..now + gone.len())
                            .filter(|i| !gone.contains(i))
                            .collect();
                        self.renumbered.insert(format!("{path}{list}"), kept);
                    }
                    return Some(entry);
                }
                Err(err) => err,
            };
            let segments: Vec<Step> = err.path().iter().filter_map(Step::of).collect();
            let message = err.inner().to_string();
            // Where the problem is, in the file's numbering.
            let relative = original_path(&segments, &removed);
            if let Some(field) = missing_field(&message) {
                let full = format!("{relative}.{field}");
                if !taken.contains(&full) {
                    let at = format!("{path}{relative}");
                    let diag = self
                        .positions
                        .at(&at, format!("{} has no `{field}`; add it", what(&at)))
                        .entry(label(&at));
                    self.problem(diag);
                }
                // The node cannot stand without it: leave it out.
                if segments.is_empty()
                    || !remove(&mut value, &segments, &relative, &mut removed, &mut taken)
                {
                    return None;
                }
                continue;
            }
            if let Some(key) = unknown_field(&message) {
                let full = format!("{path}{relative}");
                let (at, parent) = match segments.last() {
                    Some(Step::Key(last)) if *last == key => {
                        (full.clone(), &segments[..segments.len() - 1])
                    }
                    _ => (format!("{full}.{key}"), &segments[..]),
                };
                let owner = at.rsplit_once('.').map_or("", |(owner, _)| owner);
                let hint = unknown_key_hint(owner, &key, &message);
                let mut steps = parent.to_vec();
                steps.push(Step::Key(key.clone()));
                let key_path = original_path(&steps, &removed);
                let near = hint
                    .strip_prefix("did you mean `")
                    .and_then(|h| h.split('`').next())
                    .map(String::from);
                let diag = Diagnostic::new(
                    &self.positions.path,
                    self.positions.key(&at),
                    format!("unknown key `{}` in {}", excerpt(&key), what(owner)),
                )
                .entry(label(owner))
                .hint(hint);
                self.problem(diag);
                // A misspelt key is read as the key it was meant to be, so
                // the entry's other problems (a duplicate id, a bad date)
                // still show; any other unknown key is left out.
                let map = node_mut(&mut value, parent).and_then(Value::as_mapping_mut);
                if let (Some(map), Some(near)) = (map, near)
                    && !map.contains_key(near.as_str())
                    && let Some(moved) = map.remove(key.as_str())
                {
                    map.insert(Value::String(near), moved);
                    continue;
                }
                if !remove(&mut value, &steps, &key_path, &mut removed, &mut taken) {
                    return None;
                }
                continue;
            }
            let full = format!("{path}{relative}");
            let found = node(&value, &segments).cloned();
            let mut diag = match unknown_variant(&message) {
                // A word from a fixed set (a session's kind, a group).
                Some((word, allowed)) => {
                    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
                    let diag = self.positions.at(
                        &full,
                        format!("`{}` is not one of {}", excerpt(&word), listed(&allowed)),
                    );
                    match nearest(&word, &allowed) {
                        Some(near) => diag.hint(format!("did you mean `{near}`?")),
                        None => diag,
                    }
                }
                None => {
                    let mut text = plain_words(&message, found.as_ref());
                    // serde names the struct it expected; people name the thing.
                    if let Some(cut) = text.find("expected the settings of ") {
                        text.truncate(cut);
                        text.push_str(&format!(
                            "expected {}, written as `key: value` lines",
                            what(&full)
                        ));
                    }
                    self.positions.at(&full, text)
                }
            };
            diag = diag.entry(label(&full));
            self.problem(diag);
            if segments.is_empty()
                || !remove(&mut value, &segments, &relative, &mut removed, &mut taken)
            {
                return None;
            }
        }
        // Never a silent stop: say that there is more.
        let diag = self
            .positions
            .at(
                path,
                format!(
                    "{} has more than {MAX_ENTRY_PROBLEMS} problems; fix these and check again",
                    what(path)
                ),
            )
            .entry(entry_label.clone());
        self.problem(diag);
        None
    }
}

/// `participants[3] (MM-02)`: how messages name the entry at `path`.
fn entry_label(value: &Value, path: &str) -> String {
    match value.get("id").or_else(|| value.get("date")) {
        Some(id) if path.ends_with(']') => format!("{path} ({})", excerpt(&scalar(id))),
        _ => path.to_string(),
    }
}

/// A scalar as the file writes it.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_with_too_many_problems_says_so() {
        let dates: Vec<String> = (1..=30).map(|d| format!("2018-02-{d:02}")).collect();
        let text = format!("- id: P-01\n  absent: [{}]\n", dates.join(", "));
        let value: Value = serde_yaml::from_str(&text).unwrap();
        let positions = Positions::default();
        let mut reader = Reader {
            positions: &positions,
            problems: Vec::new(),
            renumbered: HashMap::new(),
            broken: BTreeSet::new(),
        };
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Entry {
            id: String,
            absent: Vec<u32>,
        }
        let read: Option<Entry> = reader.entry(&value[0], "participants[0]");
        assert!(read.is_none());
        assert_eq!(reader.problems.len(), MAX_ENTRY_PROBLEMS + 1);
        let last = reader.problems.last().unwrap();
        assert!(
            last.message.contains("more than 20 problems"),
            "{}",
            last.message
        );
    }
}
