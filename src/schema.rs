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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    pub id: String,
    pub name: String,
    pub name_ja: Option<String>,
    pub title: String,
    pub title_ja: Option<String>,
    pub organisation: Option<String>,
    pub signature: Option<String>,
    /// Official seal (公印), printed beside the name on Japanese letters.
    pub seal: Option<String>,
}

/// Settings per document kind, keyed as in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Documents {
    pub invitations: Option<Letters>,
    pub requests: Option<Letters>,
    pub badges: Option<Badges>,
    pub schedules: Option<Schedules>,
    pub certificates: Option<Certificates>,
    #[serde(rename = "thank-you")]
    pub thank_you: Option<Letters>,
    #[serde(rename = "sign-in")]
    pub sign_in: Option<Plain>,
    pub participants: Option<Plain>,
}

/// One id or a list of ids: `signed_by: a` and `signed_by: [a, b]` both read.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(id) => vec![id.clone()],
            OneOrMany::Many(ids) => ids.clone(),
        }
    }
}

/// Settings of the letter kinds: invitations, requests and thank-you letters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letters {
    pub enabled: Option<bool>,
    pub template: Option<String>,
    /// The signatory; one id.
    pub signed_by: Option<OneOrMany>,
    /// The date the letters carry (`sent_on` reads the same).
    #[serde(alias = "sent_on")]
    pub dated: Option<NaiveDate>,
    /// The date by which the recipient is asked to reply.
    pub reply_by: Option<NaiveDate>,
    /// Where the recipient's address block sits, for window envelopes.
    pub window: Option<Window>,
}

/// An envelope window: a preset name or a position in millimetres from the top
/// left corner of the page.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Window {
    Preset(String),
    Custom(WindowArea),
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WindowArea {
    pub top: f64,
    pub left: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Badges {
    pub enabled: Option<bool>,
    pub template: Option<String>,
    /// `90mm x 55mm`, `90x55mm`, `A6`, ...; default 90 x 55 mm.
    pub size: Option<String>,
    /// The paper the print sheets use: `a4` (default), `a3`, `letter`, or `210x297mm`.
    pub sheet: Option<String>,
    /// `crop` (default) or `none`, for pre-cut badge stock.
    pub marks: Option<Marks>,
    pub columns: Option<u32>,
    pub rows: Option<u32>,
    /// Space between the sheet's edge and the badges (mm or `10mm`).
    pub margin: Option<Length>,
    /// Space between neighbouring badges (mm or `4mm`); by default twice the
    /// bleed, and at least 4 mm.
    pub gap: Option<Length>,
    /// How far artwork that touches a badge's edge runs past its trim (mm or
    /// `3mm`); default 3 mm.
    pub bleed: Option<Length>,
    /// Adds a mirrored back sheet after each front sheet, for long-edge duplex.
    pub double_sided: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Marks {
    Crop,
    None,
}

/// A length in millimetres, written as a number or with a unit: `4`, `4mm`, `0.5cm`.
#[derive(Debug, Clone)]
pub enum Length {
    Millimetres(f64),
    Text(String),
}

// By hand rather than `untagged`, so a value of the wrong kind (`true`, a
// list) is reported at its own line, in words.
impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Length;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a length such as `4mm` or 4 (millimetres)")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Length, E> {
                Ok(Length::Millimetres(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Length, E> {
                Ok(Length::Millimetres(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Length, E> {
                Ok(Length::Millimetres(v as f64))
            }
            fn visit_str<E>(self, v: &str) -> Result<Length, E> {
                Ok(Length::Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedules {
    pub enabled: Option<bool>,
    pub template: Option<String>,
    pub overview: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificates {
    pub enabled: Option<bool>,
    pub template: Option<String>,
    pub signed_by: Option<OneOrMany>,
    /// Share of programme days attended, 0..=1.
    pub min_attendance: Option<f64>,
    pub issued_on: Option<NaiveDate>,
    /// The environment variable holding the key for verification codes.
    pub secret_env: Option<String>,
}

/// Kinds with no settings beyond the common two.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plain {
    pub enabled: Option<bool>,
    pub template: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub name_ja: Option<String>,
    pub short: Option<String>,
    pub group: Group,
    /// The programme's language unless the file says; see [`Self::language`].
    #[serde(rename = "language")]
    pub language_given: Option<Language>,
    #[serde(skip)]
    pub language: Language,
    #[serde(default)]
    pub thank: bool,
    pub addressee: Option<String>,
    pub addressee_ja: Option<String>,
    /// The addressee's name in Japanese, when the letter goes to a person:
    /// Japanese letters then end the address with 様, else with 殿.
    pub addressee_name_ja: Option<String>,
    #[serde(default)]
    pub address: Vec<String>,
    pub address_ja: Option<Vec<String>>,
    pub logo: Option<String>,
    /// For embassies: the country they represent.
    pub country: Option<Country>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Host,
    Sponsor,
    Ministry,
    Agency,
    Prefecture,
    Municipality,
    International,
    Ngo,
    Academic,
    Embassy,
    Expert,
    Company,
    Other,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub id: String,
    /// 1-based position in `participants`; numbers letters and certificates.
    #[serde(skip_deserializing)]
    pub number: usize,
    pub honorific: Option<String>,
    pub name: String,
    /// The name in its own script, printed under the Latin name.
    pub native_name: Option<String>,
    pub country: Country,
    pub organisation: String,
    pub position: Option<String>,
    pub email: Option<String>,
    /// As written; the programme's language when absent (see `language`).
    #[serde(rename(deserialize = "language"), skip_serializing)]
    pub language_given: Option<Language>,
    #[serde(skip_deserializing, rename(serialize = "language"))]
    pub language: Language,
    /// Programme days missed.
    #[serde(default, skip_serializing)]
    pub absent: Vec<NaiveDate>,
    /// Programme days attended: entries in `days` minus `absent`.
    #[serde(skip_deserializing)]
    pub days_attended: usize,
}

/// A country, written as its ISO 3166 alpha-2 code; its names are filled in
/// by `validate`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(from = "String")]
pub struct Country {
    pub code: String,
    /// How the country prints: `programme.countries`, else the ISO 3166 short name.
    pub name: String,
    /// How it reads in running English: with "the" where ISO 3166 marks the
    /// short name "(the)", or an override says so ("the Philippines").
    pub in_text: String,
}

impl From<String> for Country {
    fn from(code: String) -> Self {
        Country {
            name: code.clone(),
            in_text: code.clone(),
            code,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    pub id: String,
    pub honorific: Option<String>,
    pub name: String,
    pub native_name: Option<String>,
    pub role: Role,
    /// An organisation id.
    pub organisation: Option<String>,
    pub position: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Secretariat,
    Coordinator,
    Interpreter,
    Lecturer,
}

impl Role {
    /// The role as the file spells it.
    pub fn key(self) -> &'static str {
        match self {
            Role::Secretariat => "secretariat",
            Role::Coordinator => "coordinator",
            Role::Interpreter => "interpreter",
            Role::Lecturer => "lecturer",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Day {
    pub date: NaiveDate,
    pub title: String,
    pub title_ja: Option<String>,
    pub place: Option<String>,
    pub place_ja: Option<String>,
    #[serde(default)]
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// `HH:MM-HH:MM`.
    pub time: String,
    /// `time`'s two halves, `10:00` and `12:00`, once checked.
    #[serde(skip)]
    pub start: String,
    #[serde(skip)]
    pub end: String,
    pub kind: SessionKind,
    pub title: String,
    pub title_ja: Option<String>,
    pub place: Option<String>,
    pub place_ja: Option<String>,
    /// Organisations that gave or hosted the session.
    #[serde(default)]
    pub with: Vec<String>,
    #[serde(default)]
    pub speakers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    Ceremony,
    Orientation,
    Lecture,
    Visit,
    Presentation,
    Discussion,
    Workshop,
    Culture,
    Meal,
    Travel,
    Other,
}

/// A list of people: written out in the programme file, or read from a
/// registration export (`{from: registrations.xlsx}`; see [`crate::import`]).
#[derive(Debug)]
pub enum People<T> {
    List(Vec<T>),
    From(Import),
}

impl<T> Default for People<T> {
    fn default() -> Self {
        People::List(Vec::new())
    }
}

impl<T> People<T> {
    /// The people; empty for an import not yet read (`load` reads them all).
    pub fn into_list(self) -> Vec<T> {
        match self {
            People::List(list) => list,
            People::From(_) => Vec::new(),
        }
    }
}

/// Where a list of people is read from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Import {
    /// A spreadsheet or CSV file, relative to the programme file.
    pub from: String,
    /// The sheet to read; the first when not given.
    pub sheet: Option<String>,
    /// Column header → field name, or `~` to ignore the column.
    pub columns: Option<std::collections::BTreeMap<String, Option<String>>>,
    /// A CSV file's encoding: `utf-8` when not given, or `shift_jis`.
    pub encoding: Option<String>,
}

// A list deserialises as a list (so its errors keep their place in the file),
// a mapping as an import.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for People<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = People<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list, or `from:` a spreadsheet or CSV file")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                Vec::<T>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(People::List)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                Import::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(People::From)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(People::List(Vec::new()))
            }
        }
        deserializer.deserialize_any(Visitor(std::marker::PhantomData))
    }
}

/// The keys a struct of the file accepts, as serde reads them (renamed, and
/// without the fields `validate` fills in): the columns a registration export
/// may map to. Read from the struct's own `Deserialize`, so a field added to
/// the model is a column at once.
pub fn fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    use serde::de::{Error, Visitor};
    type Failed = serde::de::value::Error;
    struct Names<'a>(&'a mut &'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for Names<'_> {
        type Error = Failed;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Failed> {
            Err(Failed::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Failed> {
            *self.0 = fields;
            Err(Failed::custom("only the field names were wanted"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(Names(&mut names));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_of_people_are_their_fields_in_the_file() {
        assert_eq!(
            fields::<Participant>(),
            [
                "id",
                "honorific",
                "name",
                "native_name",
                "country",
                "organisation",
                "position",
                "email",
                "language",
                "absent"
            ]
        );
        assert_eq!(
            fields::<Staff>(),
            [
                "id",
                "honorific",
                "name",
                "native_name",
                "role",
                "organisation",
                "position",
                "email"
            ]
        );
    }
}
