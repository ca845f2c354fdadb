//! Warnings about what a letter would print in another language than its
//! recipient's: a Japanese letter is Japanese throughout (places, the
//! secretariat's contact, the addressee), and every text it prints that has no
//! Japanese form in the programme falls back to English, which a ministry
//! would send back. `check` and `build` report each such field once, at its
//! line, naming the letter and the field to add; `--strict` makes them errors.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::programme::{Kind, Language, Programme};

/// One warning per English text that a Japanese letter would print.
pub fn japanese(programme: &Programme) -> Vec<Diagnostic> {
    let mut found = Found::new(programme);
    for (&kind, settings) in &programme.documents.letters {
        let noun = match kind {
            Kind::Requests => "request letter",
            Kind::ThankYou => "thank-you letter",
            // Invitations go to participants, in English.
            _ => continue,
        };
        for (i, org) in programme.organisations.iter().enumerate() {
            if !org.thank || org.language != Language::Ja {
                continue;
            }
            let sessions: Vec<(usize, usize)> = programme
                .days
                .iter()
                .enumerate()
                .flat_map(|(d, day)| {
                    day.sessions
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.with.contains(&org.id))
                        .map(move |(s, _)| (d, s))
                })
                .collect();
            if kind == Kind::Requests && sessions.is_empty() {
                continue;
            }
            let letter = format!("the Japanese {noun} to {}", org.name);
            let entry = format!("organisations[{i}] ({})", org.id);
            let at = format!("organisations[{i}]");
            found.missing(&letter, &entry, &at, "name", org.name_ja.is_none());
            found.missing(
                &letter,
                &entry,
                &at,
                "address",
                !org.address.is_empty() && org.address_ja.is_none(),
            );
            found.missing(
                &letter,
                &entry,
                &at,
                "addressee",
                org.addressee.is_some()
                    && org.addressee_ja.is_none()
                    && org.addressee_name_ja.is_none(),
            );
            for (d, s) in sessions {
                let day = &programme.days[d];
                let session = &day.sessions[s];
                let entry = format!("days[{d}] ({})", day.date);
                let at = format!("days[{d}].sessions[{s}]");
                found.missing(&letter, &entry, &at, "title", session.title_ja.is_none());
                // A session takes place where it says, else where its day
                // does; request letters say where.
                if kind != Kind::Requests {
                    continue;
                }
                if session.place.is_some() {
                    found.missing(&letter, &entry, &at, "place", session.place_ja.is_none());
                } else if day.place.is_some() {
                    let at = format!("days[{d}]");
                    found.missing(&letter, &entry, &at, "place", day.place_ja.is_none());
                }
            }
            found.programme(&letter, &settings.signed_by);
        }
    }
    found.diags
}

/// The warnings found so far, each field once.
struct Found<'a> {
    programme: &'a Programme,
    seen: BTreeSet<String>,
    diags: Vec<Diagnostic>,
}

impl<'a> Found<'a> {
    fn new(programme: &'a Programme) -> Self {
        Self {
            programme,
            seen: BTreeSet::new(),
            diags: Vec::new(),
        }
    }

    /// Warns, once per field, that `letter` prints `at.field` in English.
    fn missing(&mut self, letter: &str, entry: &str, at: &str, field: &str, missing: bool) {
        let path = if at.is_empty() {
            field.to_string()
        } else {
            format!("{at}.{field}")
        };
        if !missing || !self.seen.insert(path.clone()) {
            return;
        }
        let add = if field == "addressee" {
            "`addressee_ja` (an office or title, which takes 殿) or `addressee_name_ja` \
             (a person's name, which takes 様)"
                .to_string()
        } else {
            format!("`{field}_ja`")
        };
        self.diags.push(
            self.programme
                .positions
                .at(
                    &path,
                    format!("{letter} would print `{field}` in English; add {add}"),
                )
                .entry(entry)
                .warning(),
        );
    }

    /// What every Japanese letter prints of the programme: its title, the
    /// host, the commissioning body, the secretariat's contact, the
    /// signatory.
    fn programme(&mut self, letter: &str, signed_by: &str) {
        let p = self.programme;
        self.missing(
            letter,
            "programme",
            "programme",
            "title",
            p.info.title_ja.is_none(),
        );
        self.missing(
            letter,
            "programme",
            "programme.contact",
            "name",
            p.info.contact.name_ja.is_none(),
        );
        for id in std::iter::once(&p.info.host).chain(&p.info.commissioned_by) {
            if let Some(i) = p.organisations.iter().position(|o| &o.id == id) {
                let org = &p.organisations[i];
                self.missing(
                    letter,
                    &format!("organisations[{i}] ({id})"),
                    &format!("organisations[{i}]"),
                    "name",
                    org.name_ja.is_none(),
                );
            }
        }
        if let Some(i) = p.signatories.iter().position(|s| s.id == signed_by) {
            let signatory = &p.signatories[i];
            let entry = format!("signatories[{i}] ({signed_by})");
            let at = format!("signatories[{i}]");
            self.missing(letter, &entry, &at, "name", signatory.name_ja.is_none());
            self.missing(letter, &entry, &at, "title", signatory.title_ja.is_none());
        }
    }
}
