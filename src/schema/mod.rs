//! The programme: serde types that mirror the YAML one to one, and the one
//! model every stage uses.
//!
//! Deserialising checks types, required keys and unknown keys. What the file
//! leaves to be worked out (a participant's number and attendance, a country's
//! name, a language by default, a session's times) is held in fields the file
//! cannot set and `validate` fills in, as it builds the
//! [`crate::programme::Programme`] every later stage sees. Serialised, people,
//! organisations, signatories and days are what templates see of them (see
//! `docs/templates.md`): a field added here reaches the templates.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod days;
mod documents;
mod people;

pub use days::{Day, Session, SessionKind};
pub use documents::*;
pub use people::*;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeFile {
    pub programme: ProgrammeInfo,
    #[serde(default)]
    pub signatories: Vec<Signatory>,
    #[serde(default)]
    pub documents: Documents,
    #[serde(default)]
    pub organisations: Vec<Organisation>,
    #[serde(default)]
    pub participants: People<Participant>,
    #[serde(default)]
    pub staff: People<Staff>,
    #[serde(default)]
    pub days: Vec<Day>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInfo {
    pub id: String,
    pub title: String,
    pub title_ja: Option<String>,
    pub short_title: Option<String>,
    pub series: Option<String>,
    pub series_ja: Option<String>,
    /// What the programme is for, in one paragraph (invitations); derived from
    /// the programme when absent.
    pub purpose: Option<String>,
    pub purpose_ja: Option<String>,
    pub reference: String,
    pub host: String,
    pub commissioned_by: Option<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    #[serde(default)]
    pub language: Language,
    /// How country codes print, overriding the ISO 3166 English short names.
    #[serde(default)]
    pub countries: BTreeMap<String, String>,
    pub contact: Contact,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Ja,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ja => "ja",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub name_ja: Option<String>,
    pub email: String,
    pub phone: Option<String>,
}
