//! `documents:`: which kinds are made, and each kind's settings, as written.

use chrono::NaiveDate;
use serde::Deserialize;

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
