//! Schedules: one per programme day, then the overview calendar.

use minijinja::Value;
use minijinja::value::Serde;

use super::{Plan, Subject, add, print_file};
use crate::context::{self, CalendarDate, OverviewContext, ScheduleContext};
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
    let view = context::programme(programme);
    let mut members = Vec::new();
    for (i, d) in programme.days.iter().enumerate() {
        let context = ScheduleContext {
            programme: view.clone(),
            day: context::day(programme, i),
        };
        members.push(add(
            plan,
            Kind::Schedules,
            Subject::Programme,
            format!("schedules/{}.pdf", d.date),
            format!("schedule for {} (day {})", d.date, i + 1),
            template,
            Value::from(Serde(&context)),
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
        let calendar = programme
            .info
            .start
            .iter_days()
            .take_while(|d| *d <= programme.info.end)
            .map(|date| CalendarDate {
                date: date.into(),
                day: programme
                    .days
                    .iter()
                    .position(|d| d.date == date)
                    .map(|i| context::day(programme, i)),
            })
            .collect();
        let context = OverviewContext {
            programme: view,
            calendar,
        };
        members.push(add(
            plan,
            Kind::Schedules,
            Subject::Programme,
            "schedules/overview.pdf".into(),
            "schedule overview".into(),
            name,
            Value::from(Serde(&context)),
        ));
    }
    print_file(plan, Kind::Schedules, "print/schedules.pdf", members);
}
