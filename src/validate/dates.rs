//! Dates and times: years that are plausible, dates inside the programme, a
//! programme of a sensible length, days described once and in order, absences
//! on programme days, and session time ranges.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::ids::Ids;
use super::{Validator, entry};
use crate::limits::{MAX_PROGRAMME_DAYS, MAX_YEAR, MIN_YEAR};
use crate::load::Text;
use crate::programme::{Day, Session};
use crate::schema::ProgrammeInfo;

impl Validator<'_> {
    /// Every date of the file, wherever it is: a year far off makes the
    /// schedules, the overview and the era calendar meaningless or endless.
    pub(super) fn plausible_year(&mut self, text: &Text) {
        if let Ok(date) = text.value.trim().parse::<NaiveDate>()
            && !(MIN_YEAR..=MAX_YEAR).contains(&chrono::Datelike::year(&date))
        {
            self.error(
                &text.path,
                &text.entry,
                format!(
                    "{} is not a plausible date for a programme: years run from {MIN_YEAR} to \
                     {MAX_YEAR}; dates are written YYYY-MM-DD, e.g. 2018-10-24",
                    crate::diagnostic::excerpt(text.value.trim())
                ),
            );
        }
    }

    pub(super) fn date_in_range(
        &mut self,
        path: &str,
        entry: &str,
        what: &str,
        date: NaiveDate,
        (start, end): (NaiveDate, NaiveDate),
    ) -> bool {
        if date < start || date > end {
            self.error(
                path,
                entry,
                format!("{what} {date} is outside the programme ({start} to {end})"),
            );
            false
        } else {
            true
        }
    }

    /// Checks that the programme ends after it starts, and not too long after.
    pub(super) fn programme_length(&mut self, info: &ProgrammeInfo) {
        let length = (info.end - info.start).num_days() + 1;
        if info.start > info.end {
            self.error(
                "programme.end",
                "programme",
                format!(
                    "the programme ends ({}) before it starts ({})",
                    info.end, info.start
                ),
            );
        } else if length > MAX_PROGRAMME_DAYS {
            self.error(
                "programme.end",
                "programme",
                format!(
                    "the programme runs {length} days, from {} to {}; a programme may run at \
                     most {MAX_PROGRAMME_DAYS} days (two years): check the years of `start` \
                     and `end`",
                    info.start, info.end
                ),
            );
        }
    }

    /// Checks each day and its sessions; returns the days, and which day
    /// describes each date.
    pub(super) fn days(
        &mut self,
        days: Vec<Day>,
        range: (NaiveDate, NaiveDate),
        org_ids: &Ids,
    ) -> (Vec<Day>, HashMap<NaiveDate, usize>) {
        let mut day_dates = HashMap::new();
        let days: Vec<Day> = days
            .into_iter()
            .enumerate()
            .map(|(i, mut day)| {
                let path = format!("days[{i}]");
                let entry = entry(&path, &day.date.to_string());
                self.date_in_range(&format!("{path}.date"), &entry, "day", day.date, range);
                if let Some(first) = day_dates.insert(day.date, i) {
                    self.error(
                        &format!("{path}.date"),
                        &entry,
                        format!("{} is already described by days[{first}]", day.date),
                    );
                }
                for (j, session) in day.sessions.iter_mut().enumerate() {
                    self.session(&format!("{path}.sessions[{j}]"), org_ids, session);
                }
                day
            })
            .collect();
        (days, day_dates)
    }

    /// Checks that the days are listed in date order.
    pub(super) fn days_in_order(&mut self, days: &[Day]) {
        for pair in days.windows(2) {
            if pair[1].date < pair[0].date {
                let i = days
                    .iter()
                    .position(|d| d.date == pair[1].date)
                    .unwrap_or(0);
                self.error(
                    &format!("days[{i}].date"),
                    &entry(&format!("days[{i}]"), &pair[1].date.to_string()),
                    format!(
                        "days must be in date order: {} comes after {}",
                        pair[1].date, pair[0].date
                    ),
                );
            }
        }
    }

    /// Checks a participant's absent dates: inside the programme, on a
    /// programme day, each listed once. Returns how many days they miss.
    pub(super) fn absences(
        &mut self,
        path: &str,
        entry: &str,
        absent: &[NaiveDate],
        range: (NaiveDate, NaiveDate),
        day_dates: &HashMap<NaiveDate, usize>,
    ) -> usize {
        let mut seen = HashSet::new();
        for (j, date) in absent.iter().enumerate() {
            let path = format!("{path}.absent[{j}]");
            if !self.date_in_range(&path, entry, "absent date", *date, range) {
                continue;
            }
            if !day_dates.contains_key(date) {
                // When a day could not be read, its date is not known: the
                // problem is reported at the day.
                if self.positions.left_out("days") {
                    continue;
                }
                self.error(
                    &path,
                    entry,
                    format!("absent date {date} is not a programme day (see `days`)"),
                );
            } else if !seen.insert(*date) {
                self.error(&path, entry, format!("absent date {date} is listed twice"));
            }
        }
        seen.len()
    }

    /// Checks a session and fills in its start and end.
    fn session(&mut self, path: &str, org_ids: &Ids, s: &mut Session) {
        let entry = entry(path, &s.title);
        (s.start, s.end) = match parse_time_range(&s.time) {
            Some(range) => range,
            None => {
                self.error(
                    &format!("{path}.time"),
                    &entry,
                    format!("time `{}` should read like `09:30-12:00`", s.time),
                );
                (s.time.clone(), String::new())
            }
        };
        for (k, org) in s.with.iter().enumerate() {
            self.reference(
                org_ids,
                "organisation",
                &format!("{path}.with[{k}]"),
                &entry,
                org,
            );
        }
    }
}

/// Splits `09:30-12:00` into its two times, checking both.
fn parse_time_range(text: &str) -> Option<(String, String)> {
    let (start, end) = text.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    let time = |t: &str| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok();
    let (s, e) = (time(start)?, time(end)?);
    (s < e).then(|| (start.to_string(), end.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ranges() {
        assert_eq!(
            parse_time_range("09:30-12:00"),
            Some(("09:30".into(), "12:00".into()))
        );
        assert_eq!(parse_time_range("12:00-09:30"), None);
        assert_eq!(parse_time_range("9.30"), None);
    }
}
