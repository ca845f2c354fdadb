//! References by id: that each names something defined, with a "did you
//! mean" for a near miss.

use super::Validator;
use super::ids::Ids;
use crate::schema::ProgrammeInfo;

impl Validator<'_> {
    /// Checks that `id` names one of `ids`, suggesting the nearest one if not.
    pub(super) fn reference(&mut self, ids: &Ids, what: &str, path: &str, entry: &str, id: &str) {
        if ids.contains(id) || self.broken.contains(id) {
            return;
        }
        let message = format!("{what} `{id}` is not defined");
        match nearest(id, ids.0.keys()) {
            Some(near) => self.error_hint(path, entry, message, format!("did you mean `{near}`?")),
            None => self.error(path, entry, message),
        }
    }

    /// The organisations the programme itself names: its host, and whoever
    /// commissioned it.
    pub(super) fn programme_references(&mut self, info: &ProgrammeInfo, org_ids: &Ids) {
        self.reference(
            org_ids,
            "host organisation",
            "programme.host",
            "programme",
            &info.host,
        );
        if let Some(id) = &info.commissioned_by {
            self.reference(
                org_ids,
                "commissioning organisation",
                "programme.commissioned_by",
                "programme",
                id,
            );
        }
    }
}

/// The candidate closest to `word` by edit distance, when it is close enough to be
/// a plausible typo.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(3) / 3).max(2))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_ids() {
        let ids = ["nwec".to_string(), "jica".to_string(), "mofa".to_string()];
        assert_eq!(nearest("nwce", ids.iter()), Some("nwec"));
        assert_eq!(nearest("unrelated", ids.iter()), None);
    }
}
