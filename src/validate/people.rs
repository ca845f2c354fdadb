//! The lists of organisations, signatories, participants and staff, checked
//! entry by entry: each entry's rules in the order they are reported.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::ids::Ids;
use super::{Validator, entry};
use crate::programme::{Day, Language, Organisation, Participant, Signatory, Staff};
use crate::schema::ProgrammeInfo;

impl Validator<'_> {
    /// Organisations: logos, countries, and a language by default.
    pub(super) fn organisations(
        &mut self,
        organisations: Vec<Organisation>,
        countries: &BTreeMap<String, String>,
        language: Language,
    ) -> Vec<Organisation> {
        organisations
            .into_iter()
            .enumerate()
            .map(|(i, mut org)| {
                let path = format!("organisations[{i}]");
                let entry = entry(&path, &org.id);
                if let Some(logo) = &org.logo {
                    self.asset(&format!("{path}.logo"), &entry, logo);
                }
                org.country = org
                    .country
                    .as_ref()
                    .map(|c| self.country(countries, &format!("{path}.country"), &entry, &c.code));
                org.language = org.language_given.unwrap_or(language);
                org
            })
            .collect()
    }

    /// An entry's id, unique among `ids`, and the organisation it names, if
    /// any; returns how messages name the entry.
    fn identified(
        &mut self,
        path: &str,
        id: &str,
        ids: &mut Ids,
        organisation: Option<&str>,
        org_ids: &Ids,
    ) -> String {
        let entry = entry(path, id);
        self.id(ids, path, &entry, id);
        if let Some(org) = organisation {
            self.reference(
                org_ids,
                "organisation",
                &format!("{path}.organisation"),
                &entry,
                org,
            );
        }
        entry
    }

    /// Signatories: ids, organisations, signatures and seals.
    pub(super) fn signatories(
        &mut self,
        signatories: Vec<Signatory>,
        signatory_ids: &mut Ids,
        org_ids: &Ids,
    ) -> Vec<Signatory> {
        signatories
            .into_iter()
            .enumerate()
            .inspect(|(i, s)| {
                let path = format!("signatories[{i}]");
                let entry = self.identified(
                    &path,
                    &s.id,
                    signatory_ids,
                    s.organisation.as_deref(),
                    org_ids,
                );
                if let Some(sig) = &s.signature {
                    self.asset(&format!("{path}.signature"), &entry, sig);
                }
                if let Some(seal) = &s.seal {
                    self.asset(&format!("{path}.seal"), &entry, seal);
                }
            })
            .map(|(_, s)| s)
            .collect()
    }

    /// Participants: ids, countries and absences; fills in each one's number,
    /// language and days attended.
    pub(super) fn participants(
        &mut self,
        participants: Vec<Participant>,
        people_ids: &mut Ids,
        countries: &BTreeMap<String, String>,
        info: &ProgrammeInfo,
        days: &[Day],
        day_dates: &HashMap<NaiveDate, usize>,
    ) -> Vec<Participant> {
        let range = (info.start, info.end);
        participants
            .into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                let path = format!("participants[{i}]");
                let entry = entry(&path, &p.id);
                self.id(people_ids, &path, &entry, &p.id);
                p.country = self.country(
                    countries,
                    &format!("{path}.country"),
                    &entry,
                    &p.country.code,
                );
                let absent = self.absences(&path, &entry, &p.absent, range, day_dates);
                p.number = i + 1;
                p.language = p.language_given.unwrap_or(info.language);
                p.days_attended = days.len().saturating_sub(absent);
                p
            })
            .collect()
    }

    /// Staff: ids (shared with participants) and organisations.
    pub(super) fn staff(
        &mut self,
        staff: Vec<Staff>,
        people_ids: &mut Ids,
        org_ids: &Ids,
    ) -> Vec<Staff> {
        staff
            .into_iter()
            .enumerate()
            .inspect(|(i, s)| {
                let path = format!("staff[{i}]");
                self.identified(&path, &s.id, people_ids, s.organisation.as_deref(), org_ids);
            })
            .map(|(_, s)| s)
            .collect()
    }
}
