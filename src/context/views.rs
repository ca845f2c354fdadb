//! The parts contexts are made of: views that borrow the programme and add
//! what a template needs in another form (an asset path, a short name, a date
//! in each language). A field added to the model's participants, staff or
//! organisations reaches every template through the `flatten`ed borrow.

use serde::Serialize;

use super::dates::{Date, DateRange, domestic_phone};
use crate::programme::{self, Country, Participant, Programme, Staff};
use crate::schema::{SessionKind, WindowArea};

/// The secretariat's contact, with the phone as dialled inside Japan.
#[derive(Debug, Clone, Serialize)]
pub struct ContactView<'a> {
    #[serde(flatten)]
    pub contact: &'a programme::Contact,
    /// The phone as dialled inside Japan (`+81-493-62-6711` → `0493-62-6711`),
    /// for Japanese letters; the phone as written when it is not Japanese.
    pub phone_ja: Option<String>,
}

/// `programme` in every template.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub title_ja: &'a Option<String>,
    pub short_title: &'a str,
    pub series: &'a Option<String>,
    pub series_ja: &'a Option<String>,
    pub reference: &'a str,
    pub language: &'static str,
    pub dates: DateRange,
    /// Number of programme days (entries in `days`).
    pub days: usize,
    /// Number of participants.
    pub participants: usize,
    /// The participating countries, in order of first appearance.
    pub countries: Vec<&'a Country>,
    pub contact: ContactView<'a>,
    pub host: OrganisationView<'a>,
    pub commissioned_by: Option<OrganisationView<'a>>,
}

/// An organisation as templates see it: its fields, with `short` never empty
/// and the logo as a path Typst resolves.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationView<'a> {
    #[serde(flatten)]
    pub organisation: &'a programme::Organisation,
    /// `short`, else the name.
    pub short: &'a str,
    pub logo: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatoryView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub name_ja: &'a Option<String>,
    pub title: &'a str,
    pub title_ja: &'a Option<String>,
    pub organisation: Option<OrganisationView<'a>>,
    pub signature: Option<String>,
    pub seal: Option<String>,
}

/// A certificate's own particulars.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView<'a> {
    /// `<reference>-C-<NNN>`
    pub number: &'a str,
    pub issued_on: Date,
    /// The verification code, `XXXXX-XXXXX` (see `secretariat verify`).
    pub code: &'a str,
    /// A QR code of the verification code, as SVG source.
    pub code_qr: String,
}

/// A session, with its day's place when it has none of its own.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView<'a> {
    pub date: Date,
    /// `10:00`
    pub start: &'a str,
    /// `12:00`
    pub end: &'a str,
    pub kind: SessionKind,
    pub title: &'a str,
    pub title_ja: &'a Option<String>,
    pub place: &'a Option<String>,
    pub place_ja: &'a Option<String>,
    /// Whether the session has a place of its own, other than its day's.
    pub own_place: bool,
    /// The organisations that give or host it.
    pub with: Vec<OrganisationView<'a>>,
    pub speakers: &'a [String],
}

/// A letter's own particulars.
#[derive(Debug, Clone, Serialize)]
pub struct LetterView {
    /// The kind's key: `invitations`, `requests`, `thank-you`.
    pub kind: &'static str,
    /// `<reference>-T-<NNN>`
    pub number: String,
    pub date: Date,
    /// `en` or `ja`: the language the letter is written in.
    pub language: &'static str,
    /// The envelope window the address block must fit, in mm from the page's
    /// top left corner.
    pub window: WindowArea,
    pub reply_by: Option<Date>,
}

/// A programme day.
#[derive(Debug, Clone, Serialize)]
pub struct DayView<'a> {
    /// 1-based: "Day 3 of 12".
    pub number: usize,
    pub of: usize,
    pub date: Date,
    pub title: &'a str,
    pub title_ja: &'a Option<String>,
    pub place: &'a Option<String>,
    pub place_ja: &'a Option<String>,
    pub sessions: Vec<SessionView<'a>>,
}

/// One calendar date of the programme, with its programme day if it has one.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarDate<'a> {
    pub date: Date,
    /// Weekends and holidays without sessions have none.
    pub day: Option<DayView<'a>>,
}

/// One of the documents a long list is split into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// 1-based.
    pub number: usize,
    pub of: usize,
    /// The participant numbers it runs from and to.
    pub first: usize,
    pub last: usize,
}

/// The participants of one country, in the order of `participants`.
#[derive(Debug, Clone, Serialize)]
pub struct CountryGroup<'a> {
    pub country: &'a Country,
    pub participants: Vec<&'a Participant>,
}

/// A badge's wearer, a sign-in sheet's or the list's staff member: a
/// participant or a staff member, with every field of either, and `role`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PersonView<'a> {
    Participant(ParticipantPerson<'a>),
    Staff(StaffPerson<'a>),
}

#[derive(Debug, Clone, Serialize)]
pub struct ParticipantPerson<'a> {
    /// Always `participant`.
    pub role: &'static str,
    #[serde(flatten)]
    pub participant: &'a Participant,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffPerson<'a> {
    /// Staff members have no number.
    pub number: Option<usize>,
    /// The organisation's short name (else its name).
    pub organisation: Option<&'a str>,
    /// Participants only.
    pub country: Option<&'a Country>,
    /// `role` is among these: `secretariat`, `coordinator`, `interpreter`, `lecturer`.
    #[serde(flatten)]
    pub staff: &'a Staff,
}

impl PersonView<'_> {
    pub fn id(&self) -> &str {
        match self {
            PersonView::Participant(p) => &p.participant.id,
            PersonView::Staff(s) => &s.staff.id,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BadgeView {
    /// In mm.
    pub width: f64,
    pub height: f64,
    /// How far artwork that touches the edge runs past the trim, in mm; the
    /// page is set with this bleed.
    pub bleed: f64,
    /// Whether the badge has a back (a second page).
    pub double_sided: bool,
}

pub fn day(p: &Programme, index: usize) -> DayView<'_> {
    let d = &p.days[index];
    DayView {
        number: index + 1,
        of: p.days.len(),
        date: d.date.into(),
        title: &d.title,
        title_ja: &d.title_ja,
        place: &d.place,
        place_ja: &d.place_ja,
        sessions: d.sessions.iter().map(|s| session(p, d, s)).collect(),
    }
}

pub fn person_participant(p: &Participant) -> PersonView<'_> {
    PersonView::Participant(ParticipantPerson {
        role: "participant",
        participant: p,
    })
}

pub fn person_staff<'a>(p: &'a Programme, s: &'a Staff) -> PersonView<'a> {
    PersonView::Staff(StaffPerson {
        number: None,
        organisation: s.organisation.as_ref().map(|id| {
            let o = p.organisation(id);
            o.short.as_deref().unwrap_or(&o.name)
        }),
        country: None,
        staff: s,
    })
}

/// The modules of a QR code of `text`, row by row, dark or light. Encoding
/// (choosing the mask with the lowest penalty among eight) is most of a QR
/// code's cost; drawing it is [`qr_drawn`].
pub fn qr_modules(text: &str) -> Vec<qrcode::Color> {
    qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .expect("an id is short enough for a QR code")
        .to_colors()
}

/// A QR code of `text` as SVG: [`qr_drawn`] of [`qr_modules`].
pub fn qr_svg(text: &str) -> String {
    qr_drawn(&qr_modules(text))
}

/// A QR code's modules as SVG, black on white with its quiet zone of four
/// modules, for check-in and verification.
///
/// Each run of dark modules along a row is one rectangle, not one square per
/// module as `qrcode`'s own SVG renderer draws them: the same shape in about
/// half the path, which Typst parses, and its PDF writer converts and
/// compresses, for every badge and certificate.
pub fn qr_drawn(dark: &[qrcode::Color]) -> String {
    use std::fmt::Write;
    const MODULE: usize = 4;
    const QUIET: usize = 4;
    // A QR code is square.
    let modules = dark.len().isqrt();
    let size = (modules + 2 * QUIET) * MODULE;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{size}\" \
         height=\"{size}\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect x=\"0\" y=\"0\" width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\""
    );
    for (y, row) in dark.chunks(modules).enumerate() {
        let top = (y + QUIET) * MODULE;
        let mut x = 0;
        while x < modules {
            if row[x] == qrcode::Color::Light {
                x += 1;
                continue;
            }
            let start = x;
            while x < modules && row[x] == qrcode::Color::Dark {
                x += 1;
            }
            let left = (start + QUIET) * MODULE;
            let width = (x - start) * MODULE;
            write!(svg, "M{left} {top}h{width}v{MODULE}H{left}V{top}")
                .expect("writing to a string");
        }
    }
    svg.push_str("\"/></svg>");
    svg
}

/// An asset path as Typst resolves it from the programme folder (its root).
fn asset(path: &Option<String>) -> Option<String> {
    path.as_ref()
        .map(|p| format!("/{}", p.trim_start_matches("./").trim_start_matches('/')))
}

pub fn organisation(o: &programme::Organisation) -> OrganisationView<'_> {
    OrganisationView {
        organisation: o,
        short: o.short.as_deref().unwrap_or(&o.name),
        logo: asset(&o.logo),
    }
}

pub fn programme(p: &Programme) -> ProgrammeView<'_> {
    let mut countries: Vec<&Country> = Vec::new();
    for c in p.participants.iter().map(|p| &p.country) {
        if !countries.iter().any(|seen| seen.code == c.code) {
            countries.push(c);
        }
    }
    ProgrammeView {
        id: &p.info.id,
        title: &p.info.title,
        title_ja: &p.info.title_ja,
        short_title: p.info.short_title.as_deref().unwrap_or(&p.info.title),
        series: &p.info.series,
        series_ja: &p.info.series_ja,
        reference: &p.info.reference,
        language: p.info.language.code(),
        dates: DateRange::new(p.info.start, p.info.end),
        days: p.days.len(),
        participants: p.participants.len(),
        countries,
        contact: ContactView {
            contact: &p.info.contact,
            phone_ja: p.info.contact.phone.as_deref().map(domestic_phone),
        },
        host: organisation(p.organisation(&p.info.host)),
        commissioned_by: p
            .info
            .commissioned_by
            .as_ref()
            .map(|id| organisation(p.organisation(id))),
    }
}

pub fn signatory<'a>(p: &'a Programme, s: &'a programme::Signatory) -> SignatoryView<'a> {
    SignatoryView {
        id: &s.id,
        name: &s.name,
        name_ja: &s.name_ja,
        title: &s.title,
        title_ja: &s.title_ja,
        organisation: s
            .organisation
            .as_ref()
            .map(|id| organisation(p.organisation(id))),
        signature: asset(&s.signature),
        seal: asset(&s.seal),
    }
}

pub fn session<'a>(
    p: &'a Programme,
    day: &'a programme::Day,
    s: &'a programme::Session,
) -> SessionView<'a> {
    let own_place = s.place.is_some();
    SessionView {
        own_place: own_place && s.place != day.place,
        date: day.date.into(),
        start: &s.start,
        end: &s.end,
        kind: s.kind,
        title: &s.title,
        title_ja: &s.title_ja,
        place: if own_place { &s.place } else { &day.place },
        place_ja: if own_place {
            &s.place_ja
        } else {
            &day.place_ja
        },
        with: s
            .with
            .iter()
            .map(|id| organisation(p.organisation(id)))
            .collect(),
        speakers: &s.speakers,
    }
}

/// `NWEC-KCCP-2018-C-001`: reference, letter of the kind, 1-based position.
pub fn number(reference: &str, letter: char, position: usize) -> String {
    format!("{reference}-{letter}-{position:03}")
}
