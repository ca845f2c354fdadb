//! What templates see: a documented, stable view of the programme.
//!
//! These types are the template interface (see `docs/templates.md`); they change
//! only by adding fields. Internal types never reach a template. Dates come
//! pre-formatted in each language, asset paths as absolute paths inside the
//! programme folder (`/assets/logos/nwec.svg`), ready for `#image(...)`.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::programme::{self, Programme};

/// A date, ready to print.
#[derive(Debug, Clone, Serialize)]
pub struct Date {
    /// `2018-11-07`
    pub iso: String,
    /// `7 November 2018`
    pub en: String,
    /// `平成30年11月7日`, in the Japanese era as public bodies write dates.
    pub ja: String,
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Self {
            iso: d.format("%Y-%m-%d").to_string(),
            en: format!("{} {}", d.day(), d.format("%B %Y")),
            ja: japanese_date(d),
        }
    }
}

/// `24 October – 7 November 2018` and its Japanese form.
#[derive(Debug, Clone, Serialize)]
pub struct DateRange {
    pub start: Date,
    pub end: Date,
    pub en: String,
    pub ja: String,
}

impl DateRange {
    fn new(start: NaiveDate, end: NaiveDate) -> Self {
        let en = if start == end {
            Date::from(start).en
        } else if start.year() != end.year() {
            format!("{} – {}", Date::from(start).en, Date::from(end).en)
        } else if start.month() != end.month() {
            format!(
                "{} {} – {}",
                start.day(),
                start.format("%B"),
                Date::from(end).en
            )
        } else {
            format!("{}–{}", start.day(), Date::from(end).en)
        };
        let ja = if start == end {
            japanese_date(start)
        } else {
            format!("{}～{}", japanese_date(start), japanese_date(end))
        };
        Self {
            start: start.into(),
            end: end.into(),
            en,
            ja,
        }
    }
}

/// Heisei until 30 April 2019, Reiwa from 1 May 2019; year 1 is 元年.
fn japanese_date(d: NaiveDate) -> String {
    let reiwa = NaiveDate::from_ymd_opt(2019, 5, 1).expect("valid date");
    let heisei = NaiveDate::from_ymd_opt(1989, 1, 8).expect("valid date");
    let (era, first_year) = if d >= reiwa {
        ("令和", 2019)
    } else if d >= heisei {
        ("平成", 1989)
    } else {
        return format!("{}年{}月{}日", d.year(), d.month(), d.day());
    };
    let year = d.year() - first_year + 1;
    let year = if year == 1 {
        "元".to_string()
    } else {
        year.to_string()
    };
    format!("{era}{year}年{}月{}日", d.month(), d.day())
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub name: String,
    pub name_ja: Option<String>,
    pub email: String,
    pub phone: Option<String>,
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
    pub address: Vec<String>,
    pub address_ja: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountryView {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParticipantView {
    pub id: String,
    /// 1-based position in `participants`.
    pub number: usize,
    pub honorific: Option<String>,
    pub name: String,
    pub native_name: Option<String>,
    pub country: CountryView,
    pub organisation: String,
    pub position: Option<String>,
    pub email: Option<String>,
    pub language: &'static str,
    pub days_attended: usize,
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
}

/// The whole context of one certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateContext {
    pub programme: ProgrammeView,
    pub participant: ParticipantView,
    pub certificate: CertificateView,
    pub signatories: Vec<SignatoryView>,
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
        address: o.address.clone(),
        address_ja: o.address_ja.clone(),
    }
}

pub fn programme(p: &Programme) -> ProgrammeView {
    ProgrammeView {
        id: p.id.clone(),
        title: p.title.clone(),
        title_ja: p.title_ja.clone(),
        short_title: p.short_title.clone().unwrap_or_else(|| p.title.clone()),
        series: p.series.clone(),
        series_ja: p.series_ja.clone(),
        reference: p.reference.clone(),
        language: p.language.code(),
        dates: DateRange::new(p.start, p.end),
        days: p.days.len(),
        contact: Contact {
            name: p.contact.name.clone(),
            name_ja: p.contact.name_ja.clone(),
            email: p.contact.email.clone(),
            phone: p.contact.phone.clone(),
        },
        host: organisation(p.organisation(&p.host)),
        commissioned_by: p
            .commissioned_by
            .as_ref()
            .map(|id| organisation(p.organisation(id))),
    }
}

pub fn participant(p: &programme::Participant) -> ParticipantView {
    ParticipantView {
        id: p.id.clone(),
        number: p.number,
        honorific: p.honorific.clone(),
        name: p.name.clone(),
        native_name: p.native_name.clone(),
        country: CountryView {
            code: p.country.code.clone(),
            name: p.country.name.clone(),
        },
        organisation: p.organisation.clone(),
        position: p.position.clone(),
        email: p.email.clone(),
        language: p.language.code(),
        days_attended: p.days_attended,
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

/// `NWEC-KCCP-2018-C-001`: reference, letter of the kind, 1-based position.
pub fn number(reference: &str, letter: char, position: usize) -> String {
    format!("{reference}-{letter}-{position:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_eras() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(japanese_date(d(2018, 11, 7)), "平成30年11月7日");
        assert_eq!(japanese_date(d(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(japanese_date(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(japanese_date(d(2026, 11, 29)), "令和8年11月29日");
    }

    #[test]
    fn english_ranges() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            DateRange::new(d(2018, 10, 24), d(2018, 11, 7)).en,
            "24 October – 7 November 2018"
        );
        assert_eq!(
            DateRange::new(d(2018, 11, 5), d(2018, 11, 7)).en,
            "5–7 November 2018"
        );
    }
}
