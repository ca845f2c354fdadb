//! What templates see: a documented, stable view of the programme.
//!
//! These types are the template interface (see `docs/templates.md`); they change
//! only by adding fields. Internal types never reach a template. Dates come
//! pre-formatted in each language, asset paths as absolute paths inside the
//! programme folder (`/assets/logos/nwec.svg`), ready for `#image(...)`.

use serde::Serialize;

mod dates;

pub use dates::{Date, DateRange, domestic_phone};

use crate::programme::{self, Country, Participant, Programme};
use crate::schema::{SessionKind, WindowArea};

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub name: String,
    pub name_ja: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    /// The phone as dialled inside Japan (`+81-493-62-6711` → `0493-62-6711`),
    /// for Japanese letters; the phone as written when it is not Japanese.
    pub phone_ja: Option<String>,
}

/// `programme` in every template.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeView {
    pub id: String,
    pub title: String,
    pub title_ja: Option<String>,
    pub short_title: String,
    pub series: Option<String>,
    pub series_ja: Option<String>,
    pub reference: String,
    pub language: &'static str,
    pub dates: DateRange,
    /// Number of programme days (entries in `days`).
    pub days: usize,
    /// Number of participants.
    pub participants: usize,
    /// The participating countries, in order of first appearance.
    pub countries: Vec<Country>,
    pub contact: Contact,
    pub host: OrganisationView,
    pub commissioned_by: Option<OrganisationView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganisationView {
    pub id: String,
    pub name: String,
    pub name_ja: Option<String>,
    /// `short`, else the name.
    pub short: String,
    pub group: crate::schema::Group,
    pub language: &'static str,
    pub logo: Option<String>,
    pub addressee: Option<String>,
    pub addressee_ja: Option<String>,
    pub addressee_name_ja: Option<String>,
    pub address: Vec<String>,
    pub address_ja: Option<Vec<String>>,
    /// For embassies: the country they represent.
    pub country: Option<Country>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatoryView {
    pub id: String,
    pub name: String,
    pub name_ja: Option<String>,
    pub title: String,
    pub title_ja: Option<String>,
    pub organisation: Option<OrganisationView>,
    pub signature: Option<String>,
    pub seal: Option<String>,
}

/// A certificate's own particulars.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    /// `<reference>-C-<NNN>`
    pub number: String,
    pub issued_on: Date,
    /// The verification code, `XXXXX-XXXXX` (see `secretariat verify`).
    pub code: String,
    /// A QR code of the verification code, as SVG source.
    pub code_qr: String,
}

/// The whole context of one certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateContext {
    pub programme: ProgrammeView,
    pub participant: Participant,
    pub certificate: CertificateView,
    pub signatories: Vec<SignatoryView>,
}

/// A session, with its day's place when it has none of its own.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub date: Date,
    /// `10:00`
    pub start: String,
    /// `12:00`
    pub end: String,
    pub kind: SessionKind,
    pub title: String,
    pub title_ja: Option<String>,
    pub place: Option<String>,
    pub place_ja: Option<String>,
    /// Whether the session has a place of its own, other than its day's.
    pub own_place: bool,
    /// The organisations that give or host it.
    pub with: Vec<OrganisationView>,
    pub speakers: Vec<String>,
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

/// An invitation to one participant.
#[derive(Debug, Clone, Serialize)]
pub struct InvitationContext {
    pub programme: ProgrammeView,
    pub letter: LetterView,
    pub signatory: SignatoryView,
    pub participant: Participant,
    /// The programme's own `purpose`, if written.
    pub purpose: Option<String>,
    /// Where the programme days take place, each once, in order.
    pub venues: Vec<String>,
    /// Sessions in which participants present (`kind: presentation`).
    pub presentations: Vec<SessionView>,
}

/// A request letter or a thank-you letter to one organisation.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationLetterContext {
    pub programme: ProgrammeView,
    pub letter: LetterView,
    pub signatory: SignatoryView,
    pub organisation: OrganisationView,
    /// The sessions whose `with` names the organisation, in programme order.
    pub sessions: Vec<SessionView>,
    /// For an embassy: the participants from its country.
    pub nationals: Vec<Participant>,
}

/// A programme day.
#[derive(Debug, Clone, Serialize)]
pub struct DayView {
    /// 1-based: "Day 3 of 12".
    pub number: usize,
    pub of: usize,
    pub date: Date,
    pub title: String,
    pub title_ja: Option<String>,
    pub place: Option<String>,
    pub place_ja: Option<String>,
    pub sessions: Vec<SessionView>,
}

/// One calendar date of the programme, with its programme day if it has one.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarDate {
    pub date: Date,
    /// Weekends and holidays without sessions have none.
    pub day: Option<DayView>,
}

/// A day's schedule.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleContext {
    pub programme: ProgrammeView,
    pub day: DayView,
}

/// The whole programme at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewContext {
    pub programme: ProgrammeView,
    /// Every date from the programme's start to its end.
    pub calendar: Vec<CalendarDate>,
}

/// A day's attendance sheet.
#[derive(Debug, Clone, Serialize)]
pub struct SignInContext {
    pub programme: ProgrammeView,
    pub day: DayView,
    /// In the order of `participants`: this part's share.
    pub participants: Vec<Participant>,
    /// On the last part only.
    pub staff: Vec<PersonView>,
    /// When the list is split over several documents: which this is.
    pub part: Option<Part>,
}

/// One of the documents a long list is split into.
#[derive(Debug, Clone, Serialize)]
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
pub struct CountryGroup {
    pub country: Country,
    pub participants: Vec<Participant>,
}

/// The welcome pack's list of participants.
#[derive(Debug, Clone, Serialize)]
pub struct ParticipantListContext {
    pub programme: ProgrammeView,
    /// This part's participants, grouped by country in order of first
    /// appearance (a country split between parts heads both).
    pub countries: Vec<CountryGroup>,
    /// On the last part only.
    pub staff: Vec<PersonView>,
    /// When the list is split over several documents: which this is.
    pub part: Option<Part>,
}

pub fn day(p: &Programme, index: usize) -> DayView {
    let d = &p.days[index];
    DayView {
        number: index + 1,
        of: p.days.len(),
        date: d.date.into(),
        title: d.title.clone(),
        title_ja: d.title_ja.clone(),
        place: d.place.clone(),
        place_ja: d.place_ja.clone(),
        sessions: d.sessions.iter().map(|s| session(p, d, s)).collect(),
    }
}

/// A badge's wearer: a participant or a staff member.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    /// Staff members have no number; participants their position in `participants`.
    pub number: Option<usize>,
    pub id: String,
    /// `participant`, `secretariat`, `coordinator`, `interpreter` or `lecturer`.
    pub role: &'static str,
    pub honorific: Option<String>,
    pub name: String,
    pub native_name: Option<String>,
    /// The organisation as it prints: a participant's own, a staff member's
    /// organisation's short name (else its name).
    pub organisation: Option<String>,
    /// Participants only.
    pub country: Option<Country>,
    pub position: Option<String>,
    pub email: Option<String>,
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

/// One badge.
#[derive(Debug, Clone, Serialize)]
pub struct BadgeContext {
    pub programme: ProgrammeView,
    pub badge: BadgeView,
    pub person: PersonView,
    /// A QR code of the person's id, as SVG source: `image(bytes({{ qr | typst_str }}))`.
    pub qr: String,
}

pub fn person_participant(p: &programme::Participant) -> PersonView {
    PersonView {
        number: Some(p.number),
        id: p.id.clone(),
        role: "participant",
        honorific: p.honorific.clone(),
        name: p.name.clone(),
        native_name: p.native_name.clone(),
        organisation: Some(p.organisation.clone()),
        country: Some(p.country.clone()),
        position: p.position.clone(),
        email: p.email.clone(),
    }
}

pub fn person_staff(p: &Programme, s: &programme::Staff) -> PersonView {
    PersonView {
        number: None,
        id: s.id.clone(),
        role: s.role.key(),
        honorific: s.honorific.clone(),
        name: s.name.clone(),
        native_name: s.native_name.clone(),
        organisation: s.organisation.as_ref().map(|id| {
            let o = p.organisation(id);
            o.short.clone().unwrap_or_else(|| o.name.clone())
        }),
        country: None,
        position: s.position.clone(),
        email: s.email.clone(),
    }
}

/// A QR code of `text` as SVG, black on white with its quiet zone, for check-in.
pub fn qr_svg(text: &str) -> String {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .expect("an id is short enough for a QR code");
    code.render::<qrcode::render::svg::Color>()
        .quiet_zone(true)
        .module_dimensions(4, 4)
        .build()
}

/// An asset path as Typst resolves it from the programme folder (its root).
fn asset(path: &Option<String>) -> Option<String> {
    path.as_ref()
        .map(|p| format!("/{}", p.trim_start_matches("./").trim_start_matches('/')))
}

pub fn organisation(o: &programme::Organisation) -> OrganisationView {
    OrganisationView {
        id: o.id.clone(),
        name: o.name.clone(),
        name_ja: o.name_ja.clone(),
        short: o.short.clone().unwrap_or_else(|| o.name.clone()),
        group: o.group,
        language: o.language.code(),
        logo: asset(&o.logo),
        addressee: o.addressee.clone(),
        addressee_ja: o.addressee_ja.clone(),
        addressee_name_ja: o.addressee_name_ja.clone(),
        address: o.address.clone(),
        address_ja: o.address_ja.clone(),
        country: o.country.clone(),
    }
}

pub fn programme(p: &Programme) -> ProgrammeView {
    ProgrammeView {
        id: p.info.id.clone(),
        title: p.info.title.clone(),
        title_ja: p.info.title_ja.clone(),
        short_title: p
            .info
            .short_title
            .clone()
            .unwrap_or_else(|| p.info.title.clone()),
        series: p.info.series.clone(),
        series_ja: p.info.series_ja.clone(),
        reference: p.info.reference.clone(),
        language: p.info.language.code(),
        dates: DateRange::new(p.info.start, p.info.end),
        days: p.days.len(),
        participants: p.participants.len(),
        countries: {
            let mut countries: Vec<Country> = Vec::new();
            for c in p.participants.iter().map(|p| &p.country) {
                if !countries.iter().any(|seen| seen.code == c.code) {
                    countries.push(c.clone());
                }
            }
            countries
        },
        contact: Contact {
            name: p.info.contact.name.clone(),
            name_ja: p.info.contact.name_ja.clone(),
            email: p.info.contact.email.clone(),
            phone: p.info.contact.phone.clone(),
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

pub fn signatory(p: &Programme, s: &programme::Signatory) -> SignatoryView {
    SignatoryView {
        id: s.id.clone(),
        name: s.name.clone(),
        name_ja: s.name_ja.clone(),
        title: s.title.clone(),
        title_ja: s.title_ja.clone(),
        organisation: s
            .organisation
            .as_ref()
            .map(|id| organisation(p.organisation(id))),
        signature: asset(&s.signature),
        seal: asset(&s.seal),
    }
}

pub fn session(p: &Programme, day: &programme::Day, s: &programme::Session) -> SessionView {
    let own_place = s.place.is_some();
    SessionView {
        own_place: own_place && s.place != day.place,
        date: day.date.into(),
        start: s.start.clone(),
        end: s.end.clone(),
        kind: s.kind,
        title: s.title.clone(),
        title_ja: s.title_ja.clone(),
        place: s.place.clone().or_else(|| day.place.clone()),
        place_ja: if own_place {
            s.place_ja.clone()
        } else {
            day.place_ja.clone()
        },
        with: s
            .with
            .iter()
            .map(|id| organisation(p.organisation(id)))
            .collect(),
        speakers: s.speakers.clone(),
    }
}

/// `NWEC-KCCP-2018-C-001`: reference, letter of the kind, 1-based position.
pub fn number(reference: &str, letter: char, position: usize) -> String {
    format!("{reference}-{letter}-{position:03}")
}
