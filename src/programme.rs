//! The validated programme: every reference resolved, every date checked.
//!
//! Only `validate` builds these values; every later stage can rely on them. Ids
//! held here are known to exist, so lookups by id cannot fail.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::load::Positions;
pub use crate::schema::{
    Contact, Country, Day, Language, Organisation, Participant, Session, Signatory, Staff,
};
use crate::schema::{ProgrammeInfo, WindowArea};
use crate::typeset::impose::{self, LayoutRequest, SheetLayout};

#[derive(Debug)]
pub struct Programme {
    /// The folder holding the programme file; asset paths are relative to it.
    pub folder: PathBuf,
    pub positions: Positions,
    /// The `programme:` section as written and checked: title, reference,
    /// dates, language, host (an organisation id), contact.
    pub info: ProgrammeInfo,
    pub signatories: Vec<Signatory>,
    pub documents: Documents,
    pub organisations: Vec<Organisation>,
    pub participants: Vec<Participant>,
    pub staff: Vec<Staff>,
    pub days: Vec<Day>,
}

impl Programme {
    pub fn organisation(&self, id: &str) -> &Organisation {
        self.organisations
            .iter()
            .find(|o| o.id == id)
            .expect("organisation ids are resolved by validation")
    }

    pub fn signatory(&self, id: &str) -> &Signatory {
        self.signatories
            .iter()
            .find(|s| s.id == id)
            .expect("signatory ids are resolved by validation")
    }
}

/// The countries whose ISO 3166 English short name is marked "(the)": in
/// running text they take the article ("officials from the Philippines");
/// in tables and on badges the bare name stands.
const TAKES_THE: &[&str] = &[
    "AE", "BS", "CC", "CD", "CF", "CG", "CK", "DO", "FK", "FO", "GB", "GM", "IO", "KM", "KP", "KR",
    "KY", "LA", "MD", "MH", "MP", "NE", "NL", "PH", "RU", "SD", "TC", "TF", "UM", "US", "VA",
];

impl Country {
    /// The country `code`, named by `name`: an override from
    /// `programme.countries` (which ends in "(the)" when it takes the
    /// article, as ISO 3166 writes it), else the ISO 3166 short name.
    pub fn new(code: &str, name: &str, overridden: bool) -> Self {
        let (name, article) = match name.strip_suffix("(the)") {
            Some(bare) => (bare.trim_end(), true),
            None => (name, !overridden && TAKES_THE.contains(&code)),
        };
        Self {
            code: code.to_string(),
            name: name.to_string(),
            in_text: if article {
                format!("the {name}")
            } else {
                name.to_string()
            },
        }
    }
}

/// The document kinds, in the order the zip lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Invitations,
    Requests,
    Badges,
    Schedules,
    Certificates,
    ThankYou,
    SignIn,
    Participants,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Invitations,
        Kind::Requests,
        Kind::Badges,
        Kind::Schedules,
        Kind::Certificates,
        Kind::ThankYou,
        Kind::SignIn,
        Kind::Participants,
    ];

    /// The kind whose key under `documents` is `key`.
    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The key under `documents`, which is also the template's file stem.
    /// What the kind's documents are called, for titles: "Request letters".
    pub fn title(self) -> &'static str {
        match self {
            Kind::Invitations => "Invitations",
            Kind::Requests => "Request letters",
            Kind::Badges => "Name badges",
            Kind::Schedules => "Day schedules",
            Kind::Certificates => "Certificates",
            Kind::ThankYou => "Thank-you letters",
            Kind::SignIn => "Sign-in sheets",
            Kind::Participants => "List of participants",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Kind::Invitations => "invitations",
            Kind::Requests => "requests",
            Kind::Badges => "badges",
            Kind::Schedules => "schedules",
            Kind::Certificates => "certificates",
            Kind::ThankYou => "thank-you",
            Kind::SignIn => "sign-in",
            Kind::Participants => "participants",
        }
    }

    /// Whether the kind's PDFs are tagged: carry their structure (headings,
    /// paragraphs, tables, reading order) for screen readers. Letters,
    /// schedules, the list and certificates are sent and read on screen too;
    /// a badge is cut out and worn and a sign-in sheet is signed by hand, so
    /// their structure would be read by no one, and it cost a sign-in sheet,
    /// cell by cell, a large part of its export.
    pub fn tagged(self) -> bool {
        !matches!(self, Kind::Badges | Kind::SignIn)
    }
}

/// Settings every kind has.
#[derive(Debug, Clone, Default)]
pub struct KindSettings {
    pub enabled: bool,
    /// A template name replacing `<kind>.typ.j2`.
    pub template: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Documents {
    /// Per kind: enabled and template override. Kinds without a builder yet are
    /// still validated, so a programme file stays valid as kinds are added.
    pub kinds: BTreeMap<Kind, KindSettings>,
    pub certificates: CertificateSettings,
    /// Settings of the letter kinds that are enabled and complete.
    pub letters: BTreeMap<Kind, LetterSettings>,
    pub badges: BadgeSettings,
    /// Whether the schedules include the whole-programme overview.
    pub overview: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct BadgeSettings {
    /// Badge size (width, height) in mm.
    pub size: (f64, f64),
    /// How badges sit on the print sheets.
    pub sheet: SheetLayout,
    /// Each badge gets a back (its second page), imposed on mirrored back sheets.
    pub double_sided: bool,
}

/// How far a badge's artwork runs past its trim unless the programme says.
pub const DEFAULT_BLEED: f64 = 3.0;

/// The most bleed a badge may ask for: print shops work with 2–5 mm, and more
/// would eat the gap and the margin the sheet needs for its marks.
pub const MAX_BLEED: f64 = 10.0;

/// The gap between badges unless the programme says: room for both
/// neighbours' bleed, and at least 4 mm to absorb cutting error.
pub fn default_gap(bleed: f64) -> f64 {
    (2.0 * bleed).max(4.0)
}

impl Default for BadgeSettings {
    fn default() -> Self {
        let size = (90.0, 55.0);
        Self {
            size,
            sheet: impose::layout(LayoutRequest {
                sheet: (210.0, 297.0),
                badge: size,
                margin: 10.0,
                gap: default_gap(DEFAULT_BLEED),
                bleed: DEFAULT_BLEED,
                columns: None,
                rows: None,
                marks: true,
            })
            .expect("the default badge fits the default sheet"),
            double_sided: false,
        }
    }
}

impl Documents {
    pub fn settings(&self, kind: Kind) -> KindSettings {
        self.kinds.get(&kind).cloned().unwrap_or(KindSettings {
            enabled: true,
            template: None,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct CertificateSettings {
    /// Signatory ids, in the order they sign.
    pub signed_by: Vec<String>,
    /// Share of programme days a participant must attend, 0..=1.
    pub min_attendance: f64,
    pub issued_on: Option<NaiveDate>,
    /// The key verification codes are made with (from `secret_env`), if any.
    pub secret: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct LetterSettings {
    /// Signatory id.
    pub signed_by: String,
    /// The date the letters carry.
    pub dated: NaiveDate,
    pub reply_by: Option<NaiveDate>,
    /// The envelope window; `None` uses the preset of each letter's language.
    pub window: Option<WindowArea>,
}

/// DIN 5008 form B: the address field 45 mm from the top and 20 mm from the left
/// edge, 85 x 45 mm, for an A4 letter folded in three into a DL window envelope.
pub const DIN_5008_B: WindowArea = WindowArea {
    top: 45.0,
    left: 20.0,
    width: 85.0,
    height: 45.0,
};

/// The Japanese 長形3号 window envelope (window 90 x 45 mm, 23 mm from the left
/// and 13 mm from the top): the address sits at the top left of an A4 letter
/// folded in three.
pub const JAPAN_NAGA3: WindowArea = WindowArea {
    top: 15.0,
    left: 23.0,
    width: 90.0,
    height: 40.0,
};

/// Window presets by name, as the `window:` setting spells them.
pub const WINDOW_PRESETS: &[(&str, WindowArea)] =
    &[("din-5008-b", DIN_5008_B), ("japan", JAPAN_NAGA3)];

impl Language {
    /// The window preset letters in this language use unless told otherwise.
    pub fn default_window(self) -> WindowArea {
        match self {
            Language::En => DIN_5008_B,
            Language::Ja => JAPAN_NAGA3,
        }
    }
}
