//! Badges: one for every participant and staff member, imposed N-up on print
//! sheets that are cut.

use super::{Imposition, PageSpec, Plan, PrintFile, Subject, add};
use crate::context::{Context, Person};
use crate::diagnostic::excerpt;
use crate::programme::{Kind, Programme};

/// A badge for every participant and staff member, imposed on print sheets.
pub(super) fn badges(programme: &Programme, template: &str, plan: &mut Plan) {
    let settings = &programme.documents.badges;
    let people = programme
        .participants
        .iter()
        .enumerate()
        .map(|(i, p)| (Person::Participant(i), &p.id, &p.name))
        .chain(
            programme
                .staff
                .iter()
                .enumerate()
                .map(|(i, s)| (Person::Staff(i), &s.id, &s.name)),
        );
    let mut members = Vec::new();
    for (person, id, name) in people {
        let i = add(
            plan,
            Kind::Badges,
            Subject::Person(id.clone()),
            format!("badges/{id}.pdf"),
            format!("badge for {id} ({})", excerpt(name)),
            template,
            Context::Badge(person),
        );
        plan.documents[i].pages = Some(PageSpec {
            size: settings.size,
            bleed: settings.sheet.bleed,
            count: if settings.double_sided { 2 } else { 1 },
        });
        members.push(i);
    }
    plan.print.push(PrintFile {
        kind: Kind::Badges,
        path: "print/badges.pdf".into(),
        members,
        start_odd: false,
        imposition: Some(Imposition {
            layout: settings.sheet,
            double_sided: settings.double_sided,
        }),
    });
}
