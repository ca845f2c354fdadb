//! Letters: invitations to participants, and request and thank-you letters to
//! organisations, each from the template for its recipient's language.

use minijinja::Value;
use minijinja::value::Serde;

use super::{Plan, PrintFile, Subject, add};
use crate::context::{self, InvitationContext, LetterView, OrganisationLetterContext};
use crate::diagnostic::Diagnostic;
use crate::programme::{Kind, Language, LetterSettings, Programme};
use crate::render::Templates;
use crate::schema::{Group, SessionKind};

/// A letter kind's template for a recipient writing in `language`: the kind's
/// `template:` setting, else `<kind>.<language>.typ.j2`, else `<kind>.typ.j2`.
/// `Err` carries the names looked for.
fn letter_template(
    programme: &Programme,
    templates: &Templates,
    kind: Kind,
    language: Language,
) -> Result<String, String> {
    if let Some(name) = programme.documents.settings(kind).template {
        return Ok(name);
    }
    let specific = format!("{}.{}.typ.j2", kind.key(), language.code());
    let general = format!("{}.typ.j2", kind.key());
    [&specific, &general]
        .into_iter()
        .find(|name| templates.exists(name))
        .cloned()
        .ok_or(format!("neither {specific} nor {general}"))
}

/// The letter particulars shared by every letter kind.
fn letter_view(
    kind: Kind,
    letter: char,
    position: usize,
    language: Language,
    programme: &Programme,
    settings: &LetterSettings,
) -> LetterView {
    LetterView {
        kind: kind.key(),
        number: context::number(&programme.info.reference, letter, position),
        date: settings.dated.into(),
        language: language.code(),
        window: settings.window.unwrap_or(language.default_window()),
        reply_by: settings.reply_by.map(Into::into),
    }
}

/// An error for a recipient whose language has no template.
fn no_template(
    programme: &Programme,
    path: &str,
    entry: &str,
    language: Language,
    looked: &str,
) -> Diagnostic {
    programme
        .positions
        .at(
            &format!("{path}.language"),
            format!(
                "no {} template for letters in `{}` ({looked} exists); add one to the \
                 templates/ folder or choose another language",
                entry.split(' ').next().unwrap_or(entry),
                language.code()
            ),
        )
        .entry(entry.to_string())
}

pub(super) fn invitations(
    programme: &Programme,
    templates: &Templates,
    settings: &LetterSettings,
    plan: &mut Plan,
    diags: &mut Vec<Diagnostic>,
) {
    let view = context::programme(programme);
    let signatory = context::signatory(programme, programme.signatory(&settings.signed_by));
    let mut venues: Vec<String> = Vec::new();
    for day in &programme.days {
        if let Some(place) = &day.place
            && !venues.contains(place)
        {
            venues.push(place.clone());
        }
    }
    let presentations: Vec<_> = programme
        .days
        .iter()
        .flat_map(|d| d.sessions.iter().map(move |s| (d, s)))
        .filter(|(_, s)| s.kind == SessionKind::Presentation)
        .map(|(d, s)| context::session(programme, d, s))
        .collect();
    let mut members = Vec::new();
    for (i, p) in programme.participants.iter().enumerate() {
        let template = match letter_template(programme, templates, Kind::Invitations, p.language) {
            Ok(t) => t,
            Err(looked) => {
                let path = format!("participants[{i}]");
                let entry = format!("{path} ({})", p.id);
                diags.push(no_template(
                    programme,
                    &path,
                    &format!("invitations {entry}"),
                    p.language,
                    &looked,
                ));
                continue;
            }
        };
        let context = InvitationContext {
            programme: view.clone(),
            letter: letter_view(
                Kind::Invitations,
                'I',
                p.number,
                p.language,
                programme,
                settings,
            ),
            signatory: signatory.clone(),
            participant: p.clone(),
            purpose: match p.language {
                Language::Ja => programme
                    .info
                    .purpose_ja
                    .clone()
                    .or(programme.info.purpose.clone()),
                Language::En => programme.info.purpose.clone(),
            },
            venues: venues.clone(),
            presentations: presentations.clone(),
        };
        members.push(add(
            plan,
            Kind::Invitations,
            Subject::Person(p.id.clone()),
            format!("invitations/{}.pdf", p.id),
            format!("invitation for {} ({})", p.id, p.name),
            &template,
            Value::from(Serde(&context)),
        ));
    }
    plan.print.push(PrintFile {
        kind: Kind::Invitations,
        path: "print/invitations.pdf".into(),
        members,
        start_odd: true,
        imposition: None,
    });
}

/// Request letters (to organisations that give or host a session) and thank-you
/// letters (to every organisation marked `thank: true`).
pub(super) fn organisation_letters(
    programme: &Programme,
    templates: &Templates,
    kind: Kind,
    settings: &LetterSettings,
    plan: &mut Plan,
    diags: &mut Vec<Diagnostic>,
) {
    let view = context::programme(programme);
    let signatory = context::signatory(programme, programme.signatory(&settings.signed_by));
    let (letter, noun) = match kind {
        Kind::Requests => ('R', "request letter"),
        _ => ('T', "thank-you letter"),
    };
    let mut members = Vec::new();
    for (i, org) in programme.organisations.iter().enumerate() {
        if !org.thank {
            continue;
        }
        let sessions: Vec<_> = programme
            .days
            .iter()
            .flat_map(|d| d.sessions.iter().map(move |s| (d, s)))
            .filter(|(_, s)| s.with.contains(&org.id))
            .map(|(d, s)| context::session(programme, d, s))
            .collect();
        if kind == Kind::Requests && sessions.is_empty() {
            continue;
        }
        let template = match letter_template(programme, templates, kind, org.language) {
            Ok(t) => t,
            Err(looked) => {
                let path = format!("organisations[{i}]");
                let entry = format!("{path} ({})", org.id);
                diags.push(no_template(
                    programme,
                    &path,
                    &format!("{} {entry}", kind.key()),
                    org.language,
                    &looked,
                ));
                continue;
            }
        };
        let nationals = match (&org.country, org.group) {
            (Some(country), Group::Embassy) => programme
                .participants
                .iter()
                .filter(|p| p.country.code == country.code)
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        let context = OrganisationLetterContext {
            programme: view.clone(),
            letter: letter_view(kind, letter, i + 1, org.language, programme, settings),
            signatory: signatory.clone(),
            organisation: context::organisation(org),
            sessions,
            nationals,
        };
        members.push(add(
            plan,
            kind,
            Subject::Organisation(org.id.clone()),
            format!("{}/{}.pdf", kind.key(), org.id),
            format!("{noun} to {} ({})", org.id, org.name),
            &template,
            Value::from(Serde(&context)),
        ));
    }
    plan.print.push(PrintFile {
        kind,
        path: format!("print/{}.pdf", kind.key()),
        members,
        start_odd: true,
        imposition: None,
    });
}
