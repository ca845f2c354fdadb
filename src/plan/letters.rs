//! Letters: invitations to participants, and request and thank-you letters to
//! organisations, each from the template for its recipient's language.

use super::{Plan, PrintFile, Subject, add};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, excerpt};
use crate::programme::{Kind, Language, Programme};
use crate::render::Templates;

/// The letter kind's template for a recipient writing in `language`: the
/// kind's `template:` setting, else `<kind>.<language>.typ.j2`, else
/// `<kind>.typ.j2`. Without one, an error at the recipient's `language`
/// (`path` is the recipient's entry, `participants[3]`) goes to `diags`.
fn letter_template(
    programme: &Programme,
    templates: &Templates,
    kind: Kind,
    recipient: (&str, &str, Language),
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    if let Some(name) = programme.documents.settings(kind).template {
        return Some(name);
    }
    let (path, id, language) = recipient;
    let specific = format!("{}.{}.typ.j2", kind.key(), language.code());
    let general = format!("{}.typ.j2", kind.key());
    let found = [&specific, &general]
        .into_iter()
        .find(|name| templates.exists(name))
        .cloned();
    if found.is_none() {
        let diag = programme.positions.at(
            &format!("{path}.language"),
            format!(
                "no {} template for letters in `{}` (neither {specific} nor {general} \
                 exists); add one to the templates/ folder or choose another language",
                kind.key(),
                language.code()
            ),
        );
        diags.push(diag.entry(format!("{} {path} ({id})", kind.key())));
    }
    found
}

pub(super) fn invitations(
    programme: &Programme,
    templates: &Templates,
    plan: &mut Plan,
    diags: &mut Vec<Diagnostic>,
) {
    let mut members = Vec::new();
    for (i, p) in programme.participants.iter().enumerate() {
        let path = format!("participants[{i}]");
        let recipient = (path.as_str(), p.id.as_str(), p.language);
        let Some(template) =
            letter_template(programme, templates, Kind::Invitations, recipient, diags)
        else {
            continue;
        };
        members.push(add(
            plan,
            Kind::Invitations,
            Subject::Person(p.id.clone()),
            format!("invitations/{}.pdf", p.id),
            format!("invitation for {} ({})", p.id, excerpt(&p.name)),
            &template,
            Context::Invitation { participant: i },
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
    plan: &mut Plan,
    diags: &mut Vec<Diagnostic>,
) {
    let noun = match kind {
        Kind::Requests => "request letter",
        _ => "thank-you letter",
    };
    let mut members = Vec::new();
    for (i, org) in programme.organisations.iter().enumerate() {
        if !org.thank {
            continue;
        }
        let gives_sessions = programme
            .days
            .iter()
            .flat_map(|d| &d.sessions)
            .any(|s| s.with.contains(&org.id));
        if kind == Kind::Requests && !gives_sessions {
            continue;
        }
        let path = format!("organisations[{i}]");
        let recipient = (path.as_str(), org.id.as_str(), org.language);
        let Some(template) = letter_template(programme, templates, kind, recipient, diags) else {
            continue;
        };
        members.push(add(
            plan,
            kind,
            Subject::Organisation(org.id.clone()),
            format!("{}/{}.pdf", kind.key(), org.id),
            format!("{noun} to {} ({})", org.id, excerpt(&org.name)),
            &template,
            Context::OrganisationLetter {
                kind,
                organisation: i,
            },
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
