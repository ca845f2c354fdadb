//! Each kind's whole context, built from a [`Context`] when the document is
//! rendered: the plan holds only which participant, day or organisation a
//! document is for, and the contexts borrow the programme for as long as one
//! render takes.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use minijinja::Value;
use serde::Serialize;

use super::views::{
    self, BadgeView, CalendarDate, CertificateView, CountryGroup, DayView, LetterView,
    OrganisationView, Part, PersonView, SessionView, SignatoryView,
};
use crate::programme::{Kind, Language, Participant, Programme};
use crate::schema::{Group, SessionKind};

/// What one document's context is made from.
#[derive(Debug, Clone)]
pub enum Context {
    /// An invitation to `participants[participant]`.
    Invitation {
        participant: usize,
    },
    /// A request or thank-you letter to `organisations[organisation]`.
    OrganisationLetter {
        kind: Kind,
        organisation: usize,
    },
    Badge(Person),
    /// The certificate of `participants[participant]`, with its number and
    /// verification code (as the register has them).
    Certificate {
        participant: usize,
        number: String,
        code: String,
    },
    /// The schedule of `days[day]`.
    Schedule {
        day: usize,
    },
    Overview,
    /// The sign-in sheet of `days[day]` for these participants, with the
    /// staff on the last part.
    SignIn {
        day: usize,
        participants: Range<usize>,
        staff: bool,
        part: Option<Part>,
    },
    /// The participant list for these participants, with the staff on the
    /// last part.
    List {
        participants: Range<usize>,
        staff: bool,
        part: Option<Part>,
    },
}

impl Context {
    /// For a sign-in sheet, the desk it is for (0 when the programme has one
    /// desk): a desk's sheets have the same table on every day.
    pub fn desk(&self) -> Option<usize> {
        match self {
            Context::SignIn { part, .. } => Some(part.as_ref().map_or(0, |p| p.number)),
            _ => None,
        }
    }
}

/// A participant or a staff member, by position in their list.
#[derive(Debug, Clone, Copy)]
pub enum Person {
    Participant(usize),
    Staff(usize),
}

/// The whole context of one certificate.
#[derive(Serialize)]
pub struct CertificateContext<'a> {
    pub programme: &'a Value,
    pub participant: &'a Participant,
    pub certificate: CertificateView<'a>,
    pub signatories: Vec<SignatoryView<'a>>,
}

/// An invitation to one participant.
#[derive(Serialize)]
pub struct InvitationContext<'a> {
    pub programme: &'a Value,
    pub letter: LetterView,
    pub signatory: SignatoryView<'a>,
    pub participant: &'a Participant,
    /// The programme's own `purpose`, if written.
    pub purpose: Option<&'a str>,
    /// Where the programme days take place, each once, in order.
    pub venues: Vec<&'a str>,
    /// Sessions in which participants present (`kind: presentation`).
    pub presentations: Vec<SessionView<'a>>,
}

/// A request letter or a thank-you letter to one organisation.
#[derive(Serialize)]
pub struct OrganisationLetterContext<'a> {
    pub programme: &'a Value,
    pub letter: LetterView,
    pub signatory: SignatoryView<'a>,
    pub organisation: OrganisationView<'a>,
    /// The sessions whose `with` names the organisation, in programme order.
    pub sessions: Vec<SessionView<'a>>,
    /// For an embassy: the participants from its country.
    pub nationals: Vec<&'a Participant>,
}

/// A day's schedule.
#[derive(Serialize)]
pub struct ScheduleContext<'a> {
    pub programme: &'a Value,
    pub day: DayView<'a>,
}

/// The whole programme at a glance.
#[derive(Serialize)]
pub struct OverviewContext<'a> {
    pub programme: &'a Value,
    /// Every date from the programme's start to its end.
    pub calendar: Vec<CalendarDate<'a>>,
}

/// A day's attendance sheet.
#[derive(Serialize)]
pub struct SignInContext<'a> {
    pub programme: &'a Value,
    pub day: DayView<'a>,
    /// In the order of `participants`: this part's share.
    pub participants: &'a [Participant],
    /// On the last part only.
    pub staff: Vec<PersonView<'a>>,
    /// When the list is split over several documents: which this is.
    pub part: &'a Option<Part>,
}

/// The welcome pack's list of participants.
#[derive(Serialize)]
pub struct ParticipantListContext<'a> {
    pub programme: &'a Value,
    /// This part's participants, grouped by country in order of first
    /// appearance (a country split between parts heads both).
    pub countries: Vec<CountryGroup<'a>>,
    /// On the last part only.
    pub staff: Vec<PersonView<'a>>,
    /// When the list is split over several documents: which this is.
    pub part: &'a Option<Part>,
}

/// One badge.
#[derive(Serialize)]
pub struct BadgeContext<'a> {
    pub programme: &'a Value,
    pub badge: BadgeView,
    pub person: PersonView<'a>,
    /// A QR code of the person's id, as SVG source: `image(bytes({{ qr | typst_str }}))`.
    pub qr: String,
}

/// Builds contexts for the documents of one programme. The `programme` view
/// every context carries is made once and shared, not copied into each.
pub struct Views<'a> {
    programme: &'a Programme,
    shared: Value,
    /// QR codes encoded so far, by text: a document's context is built twice
    /// (for its cache key, then to typeset it), and encoding is most of a QR
    /// code's cost. About a kilobyte each, one per badge and certificate.
    qr_codes: Mutex<HashMap<String, Arc<[qrcode::Color]>>>,
}

impl<'a> Views<'a> {
    pub fn new(programme: &'a Programme) -> Self {
        Views {
            programme,
            shared: value(views::programme(programme)),
            qr_codes: Mutex::new(HashMap::new()),
        }
    }

    /// A QR code of `text` as SVG ([`views::qr_svg`]), each text encoded once.
    fn qr_svg(&self, text: &str) -> String {
        let known = self
            .qr_codes
            .lock()
            .expect("QR codes lock")
            .get(text)
            .cloned();
        let modules = known.unwrap_or_else(|| {
            let modules: Arc<[qrcode::Color]> = views::qr_modules(text).into();
            self.qr_codes
                .lock()
                .expect("QR codes lock")
                .insert(text.to_string(), modules.clone());
            modules
        });
        views::qr_drawn(&modules)
    }

    /// The template context of a document.
    pub fn value(&self, context: &Context) -> Value {
        let p = self.programme;
        let programme = &self.shared;
        match context {
            Context::Invitation { participant } => {
                value(self.invitation(&p.participants[*participant]))
            }
            Context::OrganisationLetter { kind, organisation } => {
                value(self.organisation_letter(*kind, *organisation))
            }
            Context::Badge(person) => {
                let settings = &p.documents.badges;
                let person = match *person {
                    Person::Participant(i) => views::person_participant(&p.participants[i]),
                    Person::Staff(i) => views::person_staff(p, &p.staff[i]),
                };
                value(BadgeContext {
                    programme,
                    badge: BadgeView {
                        width: settings.size.0,
                        height: settings.size.1,
                        bleed: settings.sheet.bleed,
                        double_sided: settings.double_sided,
                    },
                    qr: self.qr_svg(person.id()),
                    person,
                })
            }
            Context::Certificate {
                participant,
                number,
                code,
            } => {
                let settings = &p.documents.certificates;
                value(CertificateContext {
                    programme,
                    participant: &p.participants[*participant],
                    certificate: CertificateView {
                        number,
                        issued_on: settings.issued_on.unwrap_or(p.info.end).into(),
                        code,
                        code_qr: self.qr_svg(code),
                    },
                    signatories: settings
                        .signed_by
                        .iter()
                        .map(|id| views::signatory(p, p.signatory(id)))
                        .collect(),
                })
            }
            Context::Schedule { day } => value(ScheduleContext {
                programme,
                day: views::day(p, *day),
            }),
            Context::Overview => value(OverviewContext {
                programme,
                calendar: p
                    .info
                    .start
                    .iter_days()
                    .take_while(|d| *d <= p.info.end)
                    .map(|date| CalendarDate {
                        date: date.into(),
                        day: p
                            .days
                            .iter()
                            .position(|d| d.date == date)
                            .map(|i| views::day(p, i)),
                    })
                    .collect(),
            }),
            Context::SignIn {
                day,
                participants,
                staff,
                part,
            } => value(SignInContext {
                programme,
                day: views::day(p, *day),
                participants: &p.participants[participants.clone()],
                staff: self.staff(*staff),
                part,
            }),
            Context::List {
                participants,
                staff,
                part,
            } => {
                let mut countries: Vec<CountryGroup> = Vec::new();
                for participant in &p.participants[participants.clone()] {
                    let code = &participant.country.code;
                    match countries.iter_mut().find(|g| &g.country.code == code) {
                        Some(group) => group.participants.push(participant),
                        None => countries.push(CountryGroup {
                            country: &participant.country,
                            participants: vec![participant],
                        }),
                    }
                }
                value(ParticipantListContext {
                    programme,
                    countries,
                    staff: self.staff(*staff),
                    part,
                })
            }
        }
    }

    /// Every staff member, or none.
    fn staff(&self, all: bool) -> Vec<PersonView<'a>> {
        let p = self.programme;
        match all {
            true => p.staff.iter().map(|s| views::person_staff(p, s)).collect(),
            false => Vec::new(),
        }
    }

    fn invitation(&self, participant: &'a Participant) -> InvitationContext<'_> {
        let p = self.programme;
        let settings = &p.documents.letters[&Kind::Invitations];
        let mut venues: Vec<&str> = Vec::new();
        for place in p.days.iter().filter_map(|d| d.place.as_deref()) {
            if !venues.contains(&place) {
                venues.push(place);
            }
        }
        InvitationContext {
            programme: &self.shared,
            letter: letter(
                p,
                Kind::Invitations,
                participant.number,
                participant.language,
            ),
            signatory: views::signatory(p, p.signatory(&settings.signed_by)),
            participant,
            purpose: match participant.language {
                Language::Ja => p.info.purpose_ja.as_deref().or(p.info.purpose.as_deref()),
                Language::En => p.info.purpose.as_deref(),
            },
            venues,
            presentations: self.sessions(|s| s.kind == SessionKind::Presentation),
        }
    }

    fn organisation_letter(&self, kind: Kind, index: usize) -> OrganisationLetterContext<'_> {
        let p = self.programme;
        let org = &p.organisations[index];
        let settings = &p.documents.letters[&kind];
        let nationals = match (&org.country, org.group) {
            (Some(country), Group::Embassy) => p
                .participants
                .iter()
                .filter(|p| p.country.code == country.code)
                .collect(),
            _ => Vec::new(),
        };
        OrganisationLetterContext {
            programme: &self.shared,
            letter: letter(p, kind, index + 1, org.language),
            signatory: views::signatory(p, p.signatory(&settings.signed_by)),
            organisation: views::organisation(org),
            sessions: self.sessions(|s| s.with.contains(&org.id)),
            nationals,
        }
    }

    /// The sessions `keep` accepts, in programme order.
    fn sessions(&self, keep: impl Fn(&crate::programme::Session) -> bool) -> Vec<SessionView<'a>> {
        let p = self.programme;
        p.days
            .iter()
            .flat_map(|d| d.sessions.iter().map(move |s| (d, s)))
            .filter(|(_, s)| keep(s))
            .map(|(d, s)| views::session(p, d, s))
            .collect()
    }
}

/// A letter's particulars: its kind's settings, its number from its
/// position, its window from its language unless the settings say.
fn letter(p: &Programme, kind: Kind, position: usize, language: Language) -> LetterView {
    let settings = &p.documents.letters[&kind];
    let letter = match kind {
        Kind::Invitations => 'I',
        Kind::Requests => 'R',
        _ => 'T',
    };
    LetterView {
        kind: kind.key(),
        number: views::number(&p.info.reference, letter, position),
        date: settings.dated.into(),
        language: language.code(),
        window: settings.window.unwrap_or(language.default_window()),
        reply_by: settings.reply_by.map(Into::into),
    }
}

/// A context as a template value. A `Value` inside it (the shared
/// `programme`) is taken as it is, not copied.
fn value(context: impl Serialize) -> Value {
    Value::from(minijinja::value::Serde(context))
}
