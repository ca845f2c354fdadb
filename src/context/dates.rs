//! Dates and telephone numbers as letters print them: in English, and in
//! Japanese with the era year as public bodies write it.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A date, ready to print.
#[derive(Debug, Clone, Serialize)]
pub struct Date {
    /// `2018-11-07`
    pub iso: String,
    /// `7 November 2018`
    pub en: String,
    /// `平成30年11月7日`, in the Japanese era as public bodies write dates.
    pub ja: String,
    /// `7 Nov`
    pub short_en: String,
    /// `Wednesday`
    pub weekday_en: String,
    /// `水`
    pub weekday_ja: &'static str,
    /// 1 to 12, e.g. to choose a seasonal greeting.
    pub month: u32,
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
        Self {
            iso: d.format("%Y-%m-%d").to_string(),
            en: format!("{} {}", d.day(), d.format("%B %Y")),
            ja: japanese_date(d),
            short_en: format!("{} {}", d.day(), d.format("%b")),
            weekday_en: d.format("%A").to_string(),
            weekday_ja: WEEKDAYS_JA[d.weekday().num_days_from_monday() as usize],
            month: d.month(),
        }
    }
}

/// `24 October – 7 November 2018` and its Japanese form.
#[derive(Debug, Clone, Serialize)]
pub struct DateRange {
    pub start: Date,
    pub end: Date,
    pub en: String,
    /// `平成30年10月24日～平成30年11月7日`
    pub ja: String,
    /// `平成30年10月24日から11月7日まで`: the end without its era year when it
    /// shares it with the start.
    pub ja_from_to: String,
}

impl DateRange {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Self {
        let en = if start == end {
            Date::from(start).en
        } else if start.year() != end.year() {
            format!("{} – {}", Date::from(start).en, Date::from(end).en)
        } else if start.month() != end.month() {
            format!(
                "{} {} – {}",
                start.day(),
                start.format("%B"),
                Date::from(end).en
            )
        } else {
            format!("{}–{}", start.day(), Date::from(end).en)
        };
        let ja = if start == end {
            japanese_date(start)
        } else {
            format!("{}～{}", japanese_date(start), japanese_date(end))
        };
        let (from, to) = (japanese_date(start), japanese_date(end));
        let era_year = |d: &str| d.split_once('年').map(|(y, _)| y.to_string());
        let to_short = match (era_year(&from), era_year(&to)) {
            (Some(a), Some(b)) if a == b => to[a.len() + '年'.len_utf8()..].to_string(),
            _ => to.clone(),
        };
        let ja_from_to = if start == end {
            from
        } else {
            format!("{from}から{to_short}まで")
        };
        Self {
            start: start.into(),
            end: end.into(),
            en,
            ja,
            ja_from_to,
        }
    }
}

/// Heisei until 30 April 2019, Reiwa from 1 May 2019; year 1 is 元年.
fn japanese_date(d: NaiveDate) -> String {
    let reiwa = NaiveDate::from_ymd_opt(2019, 5, 1).expect("valid date");
    let heisei = NaiveDate::from_ymd_opt(1989, 1, 8).expect("valid date");
    let (era, first_year) = if d >= reiwa {
        ("令和", 2019)
    } else if d >= heisei {
        ("平成", 1989)
    } else {
        return format!("{}年{}月{}日", d.year(), d.month(), d.day());
    };
    let year = d.year() - first_year + 1;
    let year = if year == 1 {
        "元".to_string()
    } else {
        year.to_string()
    };
    format!("{era}{year}年{}月{}日", d.month(), d.day())
}

#[cfg(test)]
#[test]
fn japanese_numbers_are_written_as_dialled_in_japan() {
    assert_eq!(domestic_phone("+81-493-62-6711"), "0493-62-6711");
    assert_eq!(domestic_phone("+81 3 1234 5678"), "03 1234 5678");
    assert_eq!(domestic_phone("+81 (0)3 1234 5678"), "03 1234 5678");
    assert_eq!(domestic_phone("+66 2 123 4567"), "+66 2 123 4567");
}

/// A Japanese number written internationally (`+81-493-62-6711`, `+81 3
/// 1234 5678`), as it is dialled inside Japan (`0493-62-6711`).
pub fn domestic_phone(phone: &str) -> String {
    match phone.trim().strip_prefix("+81") {
        Some(rest) => {
            let rest = rest.trim_start_matches([' ', '-']);
            // `+81 (0)3 …` marks the trunk prefix it leaves out.
            let rest = rest.strip_prefix("(0)").unwrap_or(rest).trim_start();
            format!("0{rest}")
        }
        None => phone.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_eras() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(japanese_date(d(2018, 11, 7)), "平成30年11月7日");
        assert_eq!(japanese_date(d(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(japanese_date(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(japanese_date(d(2026, 11, 29)), "令和8年11月29日");
    }

    #[test]
    fn english_ranges() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            DateRange::new(d(2018, 10, 24), d(2018, 11, 7)).en,
            "24 October – 7 November 2018"
        );
        assert_eq!(
            DateRange::new(d(2018, 11, 5), d(2018, 11, 7)).en,
            "5–7 November 2018"
        );
    }
}
