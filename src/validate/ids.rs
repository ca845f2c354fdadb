//! Ids: how they are spelled, and that each is defined once in its namespace.

use std::collections::HashMap;

use super::{Validator, entry};
use crate::programme::Organisation;

/// The ids of one namespace, and where each was first defined.
#[derive(Default)]
pub(super) struct Ids(pub(super) HashMap<String, String>);

impl Ids {
    pub(super) fn contains(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }
}

impl Validator<'_> {
    /// Checks an id's spelling and uniqueness within `ids`.
    pub(super) fn id(&mut self, ids: &mut Ids, path: &str, entry: &str, id: &str) {
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            self.error(
                &format!("{path}.id"),
                entry,
                format!(
                    "id `{id}` may only use letters A-Z and a-z, digits, `.`, `_` and `-`, \
                     because it becomes a file name"
                ),
            );
        }
        if let Some(first) = ids.0.get(id) {
            let first = first.clone();
            self.error(
                &format!("{path}.id"),
                entry,
                format!("id `{id}` is already used by {first}"),
            );
        } else {
            ids.0.insert(id.to_string(), path.to_string());
        }
    }

    /// The organisations' ids, checked before anything refers to them.
    pub(super) fn organisation_ids(&mut self, organisations: &[Organisation]) -> Ids {
        let mut org_ids = Ids::default();
        for (i, org) in organisations.iter().enumerate() {
            let path = format!("organisations[{i}]");
            self.id(&mut org_ids, &path, &entry(&path, &org.id), &org.id);
        }
        org_ids
    }
}
