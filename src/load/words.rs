//! What serde and chrono say, in the words of the people who write the file,
//! with the fix.

use chrono::{Datelike, NaiveDate};
use serde_yaml::Value;

use crate::diagnostic::excerpt;

/// What the node at `path` is, for messages: `a participant`, `a session`,
/// `the programme: section`.
pub(super) fn what(path: &str) -> String {
    let last_list = path
        .rsplit('.')
        .find(|part| part.ends_with(']'))
        .map(|part| part.split('[').next().unwrap_or(part));
    let in_list = path.ends_with(']');
    match last_list {
        Some(list) if in_list => match list {
            "participants" => "a participant".into(),
            "staff" => "a staff member".into(),
            "organisations" => "an organisation".into(),
            "signatories" => "a signatory".into(),
            "days" => "a day".into(),
            "sessions" => "a session".into(),
            other => format!("an entry of `{other}`"),
        },
        _ if path.is_empty() => "the file".into(),
        _ if !path.contains(['.', '[']) => format!("the `{path}:` section"),
        _ => format!("`{path}`"),
    }
}

/// serde's "missing field `name`".
pub(super) fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// serde's "unknown variant `party`, expected one of `ceremony`, …": the word
/// and the words allowed.
pub(super) fn unknown_variant(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown variant `")?;
    let (word, rest) = rest.split_once('`')?;
    let allowed = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect();
    Some((word.to_string(), allowed))
}

/// serde's "unknown field `nmae`, expected one of …".
pub(super) fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// The fix for an unknown key: the nearest valid key, a known mistake, or
/// the keys there are.
pub(super) fn unknown_key_hint(owner: &str, key: &str, message: &str) -> String {
    if key == "absent" && what(owner) == "a day" {
        return "absences are listed on the participant (`absent: [2018-10-30]`)".into();
    }
    let expected: Vec<&str> = message
        .split_once("expected")
        .map(|(_, rest)| rest.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default();
    match nearest(key, &expected) {
        Some(near) => format!("did you mean `{near}`?"),
        None if expected.is_empty() => format!("{} takes no other keys", what(owner)),
        None => format!("{} has {}", what(owner), listed(&expected)),
    }
}

/// `a`, `b` and `c`.
pub(super) fn listed(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The candidate nearest `word`, when near enough to be a slip of it.
pub(super) fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    crate::diagnostic::nearest(word, candidates.iter().copied())
}

/// serde's and chrono's words in the words of the people who write the file,
/// with the fix; `found` is the value at fault, when there is one.
pub(super) fn plain_words(message: &str, found: Option<&Value>) -> String {
    let date_error = [
        "input is out of range",
        "input contains invalid characters",
        "premature end of input",
        "trailing input",
        "input is not enough",
        "formatted date string",
    ]
    .iter()
    .any(|m| message.contains(m));
    if date_error && let Some(text) = found.and_then(Value::as_str) {
        return date_words(text);
    }
    const WORDS: &[(&str, &str)] = &[
        ("expected f64", "expected a number"),
        ("expected u32", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        (
            "expected a formatted date string",
            "expected a date written YYYY-MM-DD, e.g. 2018-10-24",
        ),
        ("expected a sequence", "expected a list"),
        ("expected struct ", "expected the settings of "),
        ("invalid type: ", ""),
        ("invalid value: ", ""),
    ];
    WORDS
        .iter()
        .fold(message.to_string(), |m, (from, to)| m.replace(from, to))
}

/// Why `text` is not a date, with the fix.
pub(super) fn date_words(text: &str) -> String {
    let parts: Vec<&str> = text.split('-').collect();
    let numbers: Option<Vec<u32>> = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            parts.iter().map(|p| p.parse().ok()).collect()
        }
        _ => None,
    };
    let Some([year, month, day]) = numbers.as_deref().map(|n| [n[0], n[1], n[2]]) else {
        return format!(
            "`{}` is not a date: dates are written YYYY-MM-DD, e.g. 2018-10-24",
            excerpt(text)
        );
    };
    let Some(first) = NaiveDate::from_ymd_opt(year as i32, month, 1) else {
        return format!("{text}: there is no month {month}; months run from 01 to 12");
    };
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year as i32 + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year as i32, month + 1, 1)
    };
    let days = next.map_or(31, |n| (n - first).num_days());
    if day == 0 || i64::from(day) > days {
        let name = first.format("%B");
        return match month {
            2 => format!("{text}: February {} has {days} days", first.year()),
            _ => format!("{text}: {name} has {days} days"),
        };
    }
    format!(
        "`{}` is not a date: dates are written YYYY-MM-DD, e.g. 2018-10-24",
        excerpt(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_that_do_not_exist_say_why() {
        assert_eq!(date_words("2018-11-31"), "2018-11-31: November has 30 days");
        assert_eq!(
            date_words("2019-02-29"),
            "2019-02-29: February 2019 has 28 days"
        );
        assert_eq!(
            date_words("2018-13-01"),
            "2018-13-01: there is no month 13; months run from 01 to 12"
        );
        assert_eq!(
            date_words("24/10/2018"),
            "`24/10/2018` is not a date: dates are written YYYY-MM-DD, e.g. 2018-10-24"
        );
    }

    #[test]
    fn unknown_keys_suggest_the_nearest() {
        let message = "unknown field `nmae`, expected one of `id`, `honorific`, `name`";
        assert_eq!(
            unknown_key_hint("participants[0]", "nmae", message),
            "did you mean `name`?"
        );
        assert_eq!(
            unknown_key_hint(
                "days[2]",
                "absent",
                "unknown field `absent`, expected `date`"
            ),
            "absences are listed on the participant (`absent: [2018-10-30]`)"
        );
    }

    #[test]
    fn a_word_outside_its_set_is_named_with_the_nearest() {
        let (word, allowed) =
            unknown_variant("unknown variant `hostt`, expected one of `host`, `sponsor`").unwrap();
        assert_eq!(word, "hostt");
        assert_eq!(allowed, ["host", "sponsor"]);
        assert_eq!(what("days[2]"), "a day");
        assert_eq!(what("days[2].sessions[0]"), "a session");
        assert_eq!(what("programme"), "the `programme:` section");
    }
}
