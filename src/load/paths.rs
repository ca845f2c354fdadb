//! Paths inside an entry of the file, as serde reports them and as the file
//! numbers them once items were left out, and removing what was wrong.

use std::collections::{BTreeSet, HashMap};

use serde_yaml::Value;

/// One step of a path inside an entry.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    pub(super) fn of(segment: &serde_path_to_error::Segment) -> Option<Step> {
        use serde_path_to_error::Segment;
        match segment {
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Map { key } => Some(Step::Key(key.clone())),
            _ => None,
        }
    }
}

/// `.sessions[2].with` from its steps.
pub(super) fn parse_steps(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
            steps.push(Step::Key(key.to_string()));
        }
        for index in pieces {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                steps.push(Step::Index(i));
            }
        }
    }
    steps
}

/// The path of `steps` (as they are now) in the file's numbering, given the
/// items removed so far from lists inside the entry.
pub(super) fn original_path(steps: &[Step], removed: &HashMap<String, Vec<usize>>) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Index(i) => {
                let gone = removed.get(&out).map(Vec::as_slice).unwrap_or(&[]);
                let original = (0..).filter(|n| !gone.contains(n)).nth(*i).unwrap_or(*i);
                out.push_str(&format!("[{original}]"));
            }
        }
    }
    out
}

/// The node at `steps`.
pub(super) fn node<'v>(value: &'v Value, steps: &[Step]) -> Option<&'v Value> {
    steps.iter().try_fold(value, |v, step| match step {
        Step::Key(key) => v.get(key.as_str()),
        Step::Index(i) => v.get(*i),
    })
}

/// The node at `steps`, to change.
pub(super) fn node_mut<'v>(value: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    steps.iter().try_fold(value, |v, step| match step {
        Step::Key(key) => v.get_mut(key.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// Removes the node at `steps` (whose path in the file's numbering is
/// `original`), noting it; false when there is nothing to remove.
pub(super) fn remove(
    value: &mut Value,
    steps: &[Step],
    original: &str,
    removed: &mut HashMap<String, Vec<usize>>,
    taken: &mut BTreeSet<String>,
) -> bool {
    let Some((last, parent)) = steps.split_last() else {
        return false;
    };
    let Some(node) = node_mut(value, parent) else {
        return false;
    };
    match (last, node) {
        (Step::Key(key), Value::Mapping(map)) => {
            taken.insert(original.to_string());
            map.remove(key.as_str()).is_some()
        }
        (Step::Index(i), Value::Sequence(items)) if *i < items.len() => {
            items.remove(*i);
            let list = original.rsplit_once('[').map_or("", |(list, _)| list);
            let index = original
                .rsplit_once('[')
                .and_then(|(_, i)| i.trim_end_matches(']').parse().ok())
                .unwrap_or(*i);
            let gone = removed.entry(list.to_string()).or_default();
            gone.push(index);
            gone.sort_unstable();
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_the_files_numbering_after_removals() {
        let mut removed = HashMap::new();
        removed.insert(".absent".to_string(), vec![0, 2]);
        let steps = [Step::Key("absent".into()), Step::Index(1)];
        assert_eq!(original_path(&steps, &removed), ".absent[3]");
    }
}
