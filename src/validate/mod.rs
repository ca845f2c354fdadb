//! Checking the programme as a whole and resolving it into a [`Programme`].
//!
//! Every rule is checked and every problem reported in one run, each naming its
//! entry and line, so a secretariat fixes the file in one pass.
//!
//! This module holds the entry point, the [`Validator`] that collects the
//! problems, and the order in which the parts of the file are checked; the
//! rules themselves live in one file per group.

mod assets;
mod countries;
mod dates;
mod documents;
mod ids;
mod people;
mod references;
mod text;

pub use text::max_chars;

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::load::{Loaded, Positions};
use crate::programme::Programme;
use crate::schema;

use ids::Ids;

/// Validates a loaded programme; `folder` is where its asset paths start.
pub fn validate(loaded: Loaded, folder: &Path) -> Result<Programme, Vec<Diagnostic>> {
    let Loaded {
        file,
        positions,
        strings,
        problems,
        broken,
    } = loaded;
    let mut v = Validator {
        positions: &positions,
        folder,
        diags: problems,
        broken: &broken,
    };
    for text in &strings {
        v.text(text);
    }
    let programme = v.programme(file, folder, &positions);
    if v.diags.is_empty() {
        Ok(programme)
    } else {
        let mut diags = v.diags;
        diags.sort_by_key(|d| (d.line, d.column));
        Err(diags)
    }
}

struct Validator<'a> {
    positions: &'a Positions,
    folder: &'a Path,
    diags: Vec<Diagnostic>,
    /// Ids (and day dates) of entries the file has but that could not be
    /// read: already reported, so references to them are not.
    broken: &'a std::collections::BTreeSet<String>,
}

impl Validator<'_> {
    fn error(&mut self, path: &str, entry: &str, message: impl Into<String>) {
        let mut diag = self.positions.at(path, message);
        if !entry.is_empty() {
            diag = diag.entry(self.positions.original(entry));
        }
        self.diags.push(diag);
    }

    fn error_hint(&mut self, path: &str, entry: &str, message: String, hint: String) {
        self.error(path, entry, message);
        let last = self.diags.last_mut().expect("just pushed");
        last.hint = Some(hint.into_boxed_str());
    }

    /// The whole file, part by part. Each part is checked entry by entry, and
    /// the parts in this order, which is the order problems are reported in.
    fn programme(
        &mut self,
        file: schema::ProgrammeFile,
        folder: &Path,
        positions: &Positions,
    ) -> Programme {
        let info = file.programme;
        let range = (info.start, info.end);
        self.programme_length(&info);
        let mut programme_ids = Ids::default();
        self.id(&mut programme_ids, "programme", "programme", &info.id);

        // Organisations first: most references point at them.
        let org_ids = self.organisation_ids(&file.organisations);
        self.programme_references(&info, &org_ids);

        let countries = self.countries(&info.countries);
        let organisations = self.organisations(file.organisations, &countries, info.language);

        let mut signatory_ids = Ids::default();
        let signatories = self.signatories(file.signatories, &mut signatory_ids, &org_ids);

        // Days before people: `absent` must name programme days.
        let (days, day_dates) = self.days(file.days, range, &org_ids);
        self.days_in_order(&days);

        let mut people_ids = Ids::default();
        let participants = self.participants(
            file.participants.into_list(),
            &mut people_ids,
            &countries,
            &info,
            &days,
            &day_dates,
        );
        let staff = self.staff(file.staff.into_list(), &mut people_ids, &org_ids);

        let documents = self.documents(file.documents, &signatory_ids);

        Programme {
            folder: folder.to_path_buf(),
            positions: positions.clone(),
            info,
            signatories,
            documents,
            organisations,
            participants,
            staff,
            days,
        }
    }
}

/// `participants[3] (MM-02)`: how messages name an entry.
fn entry(path: &str, id: &str) -> String {
    format!("{path} ({id})")
}
