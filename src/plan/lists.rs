//! Lists: the sign-in sheets for each day and the participant list, both split
//! into parts for a very large programme.

use super::{Plan, Subject, add, print_file};
use crate::context::{self, Context};
use crate::programme::{Kind, Programme};

/// Participants per sign-in sheet: a very large programme signs in at several
/// desks, each with its own sheet of about thirty pages, rather than at one
/// sheet of hundreds. It also keeps each document, and so memory, bounded.
pub const SIGN_IN_PART: usize = 500;

/// Participants per part of the participant list, for the same reasons.
pub const LIST_PART: usize = 1000;

/// Splits `n` participants into parts of at most `size`: (part, index range).
fn parts(n: usize, size: usize) -> Vec<(Option<context::Part>, std::ops::Range<usize>)> {
    let count = n.div_ceil(size).max(1);
    (0..count)
        .map(|i| {
            let range = i * size..((i + 1) * size).min(n);
            let part = (count > 1).then(|| context::Part {
                number: i + 1,
                of: count,
                first: range.start + 1,
                last: range.end,
            });
            (part, range)
        })
        .collect()
}

/// `dir/stem.pdf`, or `dir/stem.N.pdf` for part N of several.
fn part_path(dir: &str, stem: &str, part: &Option<context::Part>) -> String {
    match part {
        Some(part) => format!("{dir}/{stem}.{}.pdf", part.number),
        None => format!("{dir}/{stem}.pdf"),
    }
}

/// An attendance sheet per programme day.
pub(super) fn sign_in(programme: &Programme, template: &str, plan: &mut Plan) {
    let mut members = Vec::new();
    for (i, d) in programme.days.iter().enumerate() {
        let parts = parts(programme.participants.len(), SIGN_IN_PART);
        let count = parts.len();
        for (n, (part, range)) in parts.into_iter().enumerate() {
            let label = match &part {
                Some(p) => format!(
                    "sign-in sheet for {} (day {}), part {} of {}",
                    d.date,
                    i + 1,
                    p.number,
                    p.of
                ),
                None => format!("sign-in sheet for {} (day {})", d.date, i + 1),
            };
            members.push(add(
                plan,
                Kind::SignIn,
                Subject::Programme,
                part_path("sign-in", &d.date.to_string(), &part),
                label,
                template,
                Context::SignIn {
                    day: i,
                    participants: range,
                    staff: n + 1 == count,
                    part,
                },
            ));
        }
    }
    print_file(plan, Kind::SignIn, "print/sign-in.pdf", members);
}

/// The welcome pack's participant list.
pub(super) fn participant_list(programme: &Programme, template: &str, plan: &mut Plan) {
    let parts = parts(programme.participants.len(), LIST_PART);
    let count = parts.len();
    let mut members = Vec::new();
    for (n, (part, range)) in parts.into_iter().enumerate() {
        let label = match &part {
            Some(p) => format!("participant list, part {} of {}", p.number, p.of),
            None => "participant list".into(),
        };
        members.push(add(
            plan,
            Kind::Participants,
            Subject::Programme,
            part_path("participants", "list", &part),
            label,
            template,
            Context::List {
                participants: range,
                staff: n + 1 == count,
                part,
            },
        ));
    }
    print_file(plan, Kind::Participants, "print/participants.pdf", members);
}
