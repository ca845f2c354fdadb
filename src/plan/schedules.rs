//! Schedules: one per programme day, then the overview calendar.

use super::{Plan, Subject, add, print_file};
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::programme::{Kind, Programme};
use crate::render::Templates;

/// A schedule per programme day, then the overview.
pub(super) fn schedules(
    programme: &Programme,
    templates: &Templates,
    template: &str,
    plan: &mut Plan,
    diags: &mut Vec<Diagnostic>,
) {
    let mut members = Vec::new();
    for (i, d) in programme.days.iter().enumerate() {
        members.push(add(
            plan,
            Kind::Schedules,
            Subject::Programme,
            format!("schedules/{}.pdf", d.date),
            format!("schedule for {} (day {})", d.date, i + 1),
            template,
            Context::Schedule { day: i },
        ));
    }
    if programme.documents.overview {
        let name = "schedules.overview.typ.j2";
        if !templates.exists(name) {
            diags.push(
                programme
                    .positions
                    .at(
                        "documents.schedules.overview",
                        format!("template `{name}` not found"),
                    )
                    .entry("documents.schedules"),
            );
            return;
        }
        members.push(add(
            plan,
            Kind::Schedules,
            Subject::Programme,
            "schedules/overview.pdf".into(),
            "schedule overview".into(),
            name,
            Context::Overview,
        ));
    }
    print_file(plan, Kind::Schedules, "print/schedules.pdf", members);
}
