//! What templates see: a documented, stable view of the programme.
//!
//! These types are the template interface (see `docs/templates.md`); they change
//! only by adding fields. Views borrow the validated programme and are built
//! when a document is rendered ([`Views::value`]); the plan holds only a
//! [`Context`] saying which participant, day or organisation a document is for.
//! Dates come pre-formatted in each language, asset paths as absolute paths
//! inside the programme folder (`/assets/logos/nwec.svg`), ready for `#image(...)`.

mod dates;
mod documents;
mod views;

#[cfg(test)]
mod tests;

pub use dates::{Date, DateRange, domestic_phone};
pub use documents::{
    BadgeContext, CertificateContext, Context, InvitationContext, OrganisationLetterContext,
    OverviewContext, ParticipantListContext, Person, ScheduleContext, SignInContext, Views,
};
pub use views::{
    BadgeView, CalendarDate, CertificateView, ContactView, CountryGroup, DayView, LetterView,
    OrganisationView, Part, ParticipantPerson, PersonView, ProgrammeView, SessionView,
    SignatoryView, StaffPerson, number, programme, qr_svg,
};
