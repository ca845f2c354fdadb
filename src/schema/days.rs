//! The programme days and their sessions.

use chrono::NaiveDate;
use serde::Deserialize;

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
