//! Countries as registration forms write them: an ISO 3166 alpha-2 or alpha-3
//! code, or an English name in any case (`THAILAND`, `viet nam`, `Lao PDR`,
//! `the Philippines`), resolved to the alpha-2 code the programme uses.
//!
//! Names are the ISO 3166 English short names, their parts around a
//! parenthesis (`Korea (Republic of)` is also `Republic of Korea`), and the
//! common names people write for them ([`ALIASES`]). A name that resolves to
//! nothing gets the nearest known name as a suggestion.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Names people write that ISO 3166 does not, each with its code; compared as
/// [`folded`], so case, accents and punctuation do not matter.
const ALIASES: &[(&str, &str)] = &[
    ("Vietnam", "VN"),
    ("Laos", "LA"),
    ("Lao", "LA"),
    ("Lao PDR", "LA"),
    ("Lao P.D.R.", "LA"),
    ("Burma", "MM"),
    ("Brunei", "BN"),
    ("East Timor", "TL"),
    ("Timor Leste", "TL"),
    ("Korea", "KR"),
    ("South Korea", "KR"),
    ("Republic of Korea", "KR"),
    ("ROK", "KR"),
    ("North Korea", "KP"),
    ("DPRK", "KP"),
    ("PRC", "CN"),
    ("People's Republic of China", "CN"),
    ("Mainland China", "CN"),
    ("Hong Kong SAR", "HK"),
    ("Macau", "MO"),
    ("Macao SAR", "MO"),
    ("Taiwan", "TW"),
    ("USA", "US"),
    ("United States", "US"),
    ("America", "US"),
    ("UK", "GB"),
    ("United Kingdom", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("England", "GB"),
    ("Russia", "RU"),
    ("Iran", "IR"),
    ("Syria", "SY"),
    ("Turkey", "TR"),
    ("Czech Republic", "CZ"),
    ("Ivory Coast", "CI"),
    ("Cape Verde", "CV"),
    ("Swaziland", "SZ"),
    ("Macedonia", "MK"),
    ("Holland", "NL"),
    ("Netherlands", "NL"),
    ("UAE", "AE"),
    ("Palestine", "PS"),
    ("Vatican", "VA"),
    ("Vatican City", "VA"),
    ("DR Congo", "CD"),
    ("DRC", "CD"),
    ("Republic of the Congo", "CG"),
    ("Micronesia", "FM"),
    ("Federated States of Micronesia", "FM"),
    ("Moldova", "MD"),
    ("Tanzania", "TZ"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
];

/// What a country cell resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// An ISO 3166 alpha-2 code.
    Code(&'static str),
    /// Two letters that are no ISO 3166 code: left to the programme's own
    /// `programme.countries`, which validation checks.
    Unlisted(String),
    /// No country by that name; the nearest known name and its code, if any
    /// is near.
    Unknown(Option<(&'static str, &'static str)>),
}

/// The country `text` names: a code in any case, or a name.
pub fn resolve(text: &str) -> Resolved {
    let text = text.trim();
    let letters = text.chars().all(|c| c.is_ascii_alphabetic());
    if letters && text.len() == 2 {
        let code = text.to_ascii_uppercase();
        return match rust_iso3166::from_alpha2(&code) {
            Some(c) => Resolved::Code(c.alpha2),
            // `UK`
            None => match names().get(folded(text).as_str()) {
                Some(code) => Resolved::Code(code),
                None => Resolved::Unlisted(code),
            },
        };
    }
    if letters
        && text.len() == 3
        && let Some(c) = rust_iso3166::from_alpha3(&text.to_ascii_uppercase())
    {
        return Resolved::Code(c.alpha2);
    }
    let folded = folded(text);
    let names = names();
    if let Some(&code) = names.get(folded.as_str()) {
        return Resolved::Code(code);
    }
    // The nearest name, when it is a slip of a few letters.
    let nearest = names
        .iter()
        .map(|(name, code)| {
            (
                strsim::damerau_levenshtein(&folded, name),
                name.as_str(),
                *code,
            )
        })
        .min();
    Resolved::Unknown(nearest.and_then(|(distance, name, code)| {
        let near = distance <= 2.max(folded.chars().count() / 4) && distance < folded.len();
        near.then(|| (display_name(name, code), code))
    }))
}

/// How a suggestion names a country: its ISO 3166 short name when `folded` is
/// that name, else the alias as written in [`ALIASES`].
fn display_name(folded_name: &str, code: &'static str) -> &'static str {
    ALIASES
        .iter()
        .find(|(alias, _)| folded(alias) == folded_name)
        .map(|(alias, _)| *alias)
        .or_else(|| rust_iso3166::from_alpha2(code).map(|c| c.name))
        .unwrap_or(code)
}

/// Every known name, folded, with its code.
fn names() -> &'static HashMap<String, &'static str> {
    static NAMES: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        // A short form (`Congo` of `Congo (Democratic Republic of the)`)
        // claimed by two countries names neither.
        let mut short: HashMap<String, Option<&'static str>> = HashMap::new();
        let mut names = HashMap::new();
        for country in rust_iso3166::ALL {
            let code = country.alpha2;
            names.insert(folded(country.name), code);
            if let Some((base, rest)) = country.name.split_once(" (") {
                let inner = rest.trim_end_matches(')');
                // `Korea (Republic of)` → `Republic of Korea`;
                // `Virgin Islands (British)` → `British Virgin Islands`.
                names.insert(folded(&format!("{inner} {base}")), code);
                short
                    .entry(folded(base))
                    .and_modify(|c| *c = None)
                    .or_insert(Some(code));
            }
        }
        for (name, code) in short {
            if let Some(code) = code {
                names.entry(name).or_insert(code);
            }
        }
        for (alias, code) in ALIASES {
            names.insert(folded(alias), code);
        }
        names
    })
}

/// A name as compared: lower case, accents and punctuation dropped, `&` as
/// `and`, a leading `the` dropped, spaces collapsed (`Côte d'Ivoire` →
/// `cote divoire`, `The Philippines` → `philippines`).
fn folded(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let c = match c {
            'à'..='å' | 'ā' => 'a',
            'ç' => 'c',
            'è'..='ë' => 'e',
            'ì'..='ï' => 'i',
            'ñ' => 'n',
            'ò'..='ö' | 'ø' => 'o',
            'ù'..='ü' => 'u',
            'ý' | 'ÿ' => 'y',
            '&' => {
                out.push_str(" and ");
                continue;
            }
            // Apostrophes and dots join (`d'Ivoire`, `P.D.R.`); other
            // punctuation separates.
            '\'' | '’' | '.' => continue,
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.push(c);
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let words = match words.split_first() {
        Some((&"the", rest)) if !rest.is_empty() => rest,
        _ => &words[..],
    };
    words.join(" ")
}

/// A country cell that names no country, with the nearest name if one is near.
pub(super) fn unknown_country(
    file: &std::path::Path,
    entry: &str,
    origin: &super::Origin,
    text: &str,
    nearest: Option<(&str, &str)>,
) -> crate::diagnostic::Diagnostic {
    let diag = crate::diagnostic::Diagnostic::new(
        file,
        (0, 0),
        format!(
            "`{}` is not a country this tool knows; write its ISO 3166 code (e.g. TH, VN) or \
             its English name",
            crate::diagnostic::excerpt(text)
        ),
    )
    .entry(entry)
    .place(origin.place(Some("country")));
    match nearest {
        Some((name, code)) => diag.hint(format!("did you mean {name} ({code})?")),
        None => diag,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_aliases_resolve_in_any_case() {
        for (text, code) in [
            ("TH", "TH"),
            ("th", "TH"),
            ("tha", "TH"),
            ("THAILAND", "TH"),
            ("Viet Nam", "VN"),
            ("vietnam", "VN"),
            ("Lao PDR", "LA"),
            ("laos", "LA"),
            ("Lao People's Democratic Republic", "LA"),
            ("LAO PEOPLE’S DEMOCRATIC REPUBLIC", "LA"),
            ("Myanmar", "MM"),
            ("Burma", "MM"),
            ("Brunei", "BN"),
            ("Brunei Darussalam", "BN"),
            ("Timor-Leste", "TL"),
            ("East Timor", "TL"),
            ("Korea", "KR"),
            ("Republic of Korea", "KR"),
            ("South Korea", "KR"),
            ("Korea (Republic of)", "KR"),
            ("Philippines", "PH"),
            ("the Philippines", "PH"),
            ("Cote d'Ivoire", "CI"),
            ("Côte d’Ivoire", "CI"),
            ("Democratic Republic of the Congo", "CD"),
            ("Congo", "CG"),
            ("Iran", "IR"),
            ("Bosnia & Herzegovina", "BA"),
            ("  Cambodia ", "KH"),
        ] {
            assert_eq!(resolve(text), Resolved::Code(code), "{text}");
        }
    }

    #[test]
    fn two_letters_outside_iso_are_left_to_the_programme() {
        assert_eq!(resolve("xk"), Resolved::Unlisted("XK".into()));
        assert_eq!(resolve("UK"), Resolved::Code("GB"));
    }

    #[test]
    fn a_slip_gets_the_nearest_name_and_nonsense_gets_none() {
        assert_eq!(
            resolve("Thailnd"),
            Resolved::Unknown(Some(("Thailand", "TH")))
        );
        assert_eq!(
            resolve("Phillipines"),
            Resolved::Unknown(Some(("Philippines", "PH")))
        );
        assert_eq!(
            resolve("Veitnam"),
            Resolved::Unknown(Some(("Vietnam", "VN")))
        );
        assert_eq!(resolve("Atlantis Federation"), Resolved::Unknown(None));
        assert_eq!(resolve("XYZW"), Resolved::Unknown(None));
    }
}
