//! Badges: one for every participant and staff member, imposed N-up on print
//! sheets that are cut.

use minijinja::Value;
use minijinja::value::Serde;

use super::{Imposition, PageSpec, Plan, PrintFile, Subject, add};
use crate::context::{self, BadgeContext, BadgeView};
use crate::programme::{Kind, Programme};

/// A badge for every participant and staff member, imposed on print sheets.
pub(super) fn badges(programme: &Programme, template: &str, plan: &mut Plan) {
    let settings = &programme.documents.badges;
    let view = context::programme(programme);
    let badge = BadgeView {
        width: settings.size.0,
        height: settings.size.1,
        bleed: settings.sheet.bleed,
        double_sided: settings.double_sided,
    };
    let people = programme
        .participants
        .iter()
        .map(|p| (context::person_participant(p), &p.name))
        .chain(
            programme
                .staff
                .iter()
                .map(|s| (context::person_staff(programme, s), &s.name)),
        );
    let mut members = Vec::new();
    for (person, name) in people {
        let label = format!("badge for {} ({name})", person.id);
        let context = BadgeContext {
            programme: view.clone(),
            badge: badge.clone(),
            qr: context::qr_svg(&person.id),
            person,
        };
        let i = add(
            plan,
            Kind::Badges,
            Subject::Person(context.person.id.clone()),
            format!("badges/{}.pdf", context.person.id),
            label,
            template,
            Value::from(Serde(&context)),
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
