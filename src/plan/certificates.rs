//! Certificates: who earned one by attendance, the register of every
//! participant with the reason either way, and each certificate's
//! verification code.

use super::{Note, Plan, RegisterRow, Subject, add, print_file};
use crate::context::{self, Context};
use crate::diagnostic::excerpt;
use crate::programme::{Kind, Participant, Programme};

/// Whether a participant earned a certificate, and the reason either way.
fn attendance(programme: &Programme, p: &Participant) -> (bool, String) {
    let total = programme.days.len();
    let required = programme.documents.certificates.min_attendance;
    if total == 0 {
        return (true, "the programme lists no days".into());
    }
    let share = p.days_attended as f64 / total as f64;
    // Compare in whole days, so 0.8 of 10 days is exactly 8, not 7.999….
    let needed = (required * total as f64 - 1e-9).ceil().max(0.0) as usize;
    let eligible = p.days_attended >= needed;
    let reason = format!(
        "attended {} of {} programme days ({:.0}%); {:.0}% required",
        p.days_attended,
        total,
        share * 100.0,
        required * 100.0
    );
    (eligible, reason)
}

pub(super) fn certificates(programme: &Programme, template: &str, plan: &mut Plan) {
    let settings = &programme.documents.certificates;
    let mut members = Vec::new();
    for (i, p) in programme.participants.iter().enumerate() {
        let number = context::number(&programme.info.reference, 'C', p.number);
        let (eligible, reason) = attendance(programme, p);
        let code = crate::verify::code(
            settings.secret.as_deref(),
            &programme.info.id,
            &number,
            &p.id,
            &p.name,
        );
        plan.register.push(RegisterRow {
            number: number.clone(),
            participant: p.id.clone(),
            name: p.name.clone(),
            country: p.country.name.clone(),
            days_attended: p.days_attended,
            eligible,
            reason: reason.clone(),
            code: if eligible {
                code.clone()
            } else {
                String::new()
            },
        });
        if !eligible {
            plan.notes.push(Note {
                about: Some(p.id.clone()),
                text: format!(
                    "no certificate for {} ({}): {reason}",
                    p.id,
                    excerpt(&p.name)
                ),
            });
            continue;
        }
        members.push(add(
            plan,
            Kind::Certificates,
            Subject::Person(p.id.clone()),
            format!("certificates/{}.pdf", p.id),
            format!("certificate for {} ({})", p.id, excerpt(&p.name)),
            template,
            Context::Certificate {
                participant: i,
                number,
                code,
            },
        ));
    }
    print_file(plan, Kind::Certificates, "print/certificates.pdf", members);
}
