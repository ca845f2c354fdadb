//! Warnings about dates that are each valid but contradict one another: a
//! certificate dated before the course it certifies ends, an invitation that
//! asks for a reply after the programme has begun, a thank-you sent before
//! there is anything to thank for, a request for a session already held. A
//! recipient would send each back. Each warning names both dates and both
//! lines; `--strict` makes them errors.

use chrono::NaiveDate;

use crate::diagnostic::Diagnostic;
use crate::programme::{Kind, Programme};

/// Every contradiction between the programme's dates.
pub fn dates(p: &Programme) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let line = |path: &str| p.positions.of(path).0;
    let (last_day, last_day_at) = match p.days.iter().enumerate().max_by_key(|(_, d)| d.date) {
        Some((i, day)) => (day.date, format!("days[{i}].date")),
        None => (p.info.end, "programme.end".to_string()),
    };
    let certificates = &p.documents.certificates;
    if p.documents.settings(Kind::Certificates).enabled
        && let Some(issued) = certificates.issued_on
        && issued < last_day
    {
        found.push(warn(
            p,
            "documents.certificates.issued_on",
            "documents.certificates",
            format!(
                "certificates are issued on {issued}, before the programme's last day, \
                 {last_day} (line {}): a certificate cannot precede what it certifies",
                line(&last_day_at)
            ),
            "date them on or after the last day, or leave `issued_on` out to use the programme's end",
        ));
    }
    for (&kind, settings) in &p.documents.letters {
        let at = format!("documents.{}", kind.key());
        // `sent_on` is what the file may call it.
        let dated_at = [format!("{at}.dated"), format!("{at}.sent_on")]
            .into_iter()
            .find(|path| p.positions.has(path))
            .unwrap_or(at.clone());
        let dated = settings.dated;
        match kind {
            Kind::Invitations => {
                if let Some(reply_by) = settings.reply_by {
                    let reply_at = format!("{at}.reply_by");
                    if reply_by < dated {
                        found.push(warn(
                            p,
                            &reply_at,
                            &at,
                            format!(
                                "invitations ask for a reply by {reply_by}, before they are \
                                 dated, {dated} (line {})",
                                line(&dated_at)
                            ),
                            "give a reply-by date after the letters' date",
                        ));
                    }
                    if reply_by > p.info.start {
                        found.push(warn(
                            p,
                            &reply_at,
                            &at,
                            format!(
                                "invitations ask for a reply by {reply_by}, after the programme \
                                 starts on {} (line {})",
                                p.info.start,
                                line("programme.start")
                            ),
                            "ask for replies before the programme starts",
                        ));
                    }
                }
            }
            Kind::ThankYou if dated < p.info.end => found.push(warn(
                p,
                &dated_at,
                &at,
                format!(
                    "thank-you letters are dated {dated}, before the programme ends on {} \
                     (line {})",
                    p.info.end,
                    line("programme.end")
                ),
                "date them on or after the programme's end",
            )),
            Kind::Requests => {
                if let Some((session_at, date, org)) = first_request_held(p, dated) {
                    found.push(warn(
                        p,
                        &dated_at,
                        &at,
                        format!(
                            "request letters are dated {dated}, after the session with {org} \
                             on {date} (line {}) that they ask for",
                            line(&session_at)
                        ),
                        "date the requests before the first session they ask for",
                    ));
                }
            }
            _ => {}
        }
    }
    found
}

/// The earliest session held before `dated` with an organisation that gets a
/// request letter: where it is, its date, the organisation's name.
fn first_request_held(p: &Programme, dated: NaiveDate) -> Option<(String, NaiveDate, &str)> {
    p.days
        .iter()
        .enumerate()
        .filter(|(_, day)| day.date < dated)
        .flat_map(|(d, day)| {
            day.sessions
                .iter()
                .enumerate()
                .flat_map(move |(s, session)| session.with.iter().map(move |id| (d, s, day, id)))
        })
        .filter_map(|(d, s, day, id)| {
            let org = p.organisations.iter().find(|o| &o.id == id && o.thank)?;
            Some((
                format!("days[{d}].sessions[{s}]"),
                day.date,
                org.name.as_str(),
            ))
        })
        .min_by_key(|(_, date, _)| *date)
}

fn warn(p: &Programme, path: &str, entry: &str, message: String, hint: &str) -> Diagnostic {
    p.positions
        .at(path, message)
        .entry(entry)
        .hint(hint)
        .warning()
}
