//! The people and organisations of the file: signatories, organisations,
//! participants and staff, and lists of people read from a registration
//! export.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Language;

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

/// An organisation; serialised as templates see it, without the fields its
/// view prints in another form (`short`, `logo`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub name_ja: Option<String>,
    #[serde(skip_serializing)]
    pub short: Option<String>,
    pub group: Group,
    /// As written; the programme's language when absent (see `language`).
    #[serde(rename(deserialize = "language"), skip_serializing)]
    pub language_given: Option<Language>,
    #[serde(skip_deserializing, rename(serialize = "language"))]
    pub language: Language,
    #[serde(default, skip_serializing)]
    pub thank: bool,
    pub addressee: Option<String>,
    pub addressee_ja: Option<String>,
    /// The addressee's name in Japanese, when the letter goes to a person:
    /// Japanese letters then end the address with 様, else with 殿.
    pub addressee_name_ja: Option<String>,
    #[serde(default)]
    pub address: Vec<String>,
    pub address_ja: Option<Vec<String>>,
    #[serde(skip_serializing)]
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
    /// As written in the registration, for the secretariat to reach them.
    pub phone: Option<String>,
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

/// A staff member; serialised as templates see them, without the
/// organisation's id (their view prints its name).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    pub id: String,
    pub honorific: Option<String>,
    pub name: String,
    pub native_name: Option<String>,
    pub role: Role,
    /// An organisation id.
    #[serde(skip_serializing)]
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
        let participant = fields::<Participant>();
        // What the file writes, in the file's spelling; never what validation
        // fills in.
        for field in ["id", "name", "native_name", "country", "language", "absent"] {
            assert!(participant.contains(&field), "{field}");
        }
        for computed in ["number", "days_attended", "language_given"] {
            assert!(!participant.contains(&computed), "{computed}");
        }
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
