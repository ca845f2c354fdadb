//! Headers and fields: a header as the field it names (`Native name` →
//! `native_name`), and for a header that names none, the field it most likely
//! holds, so the hint proposes a `columns:` line worth copying.

/// Words registration forms use for a field's words (`Organization`,
/// `Name in your own script`, `Job title`), as the field spells them.
const SYNONYMS: &[(&str, &str)] = &[
    ("organization", "organisation"),
    ("organisations", "organisation"),
    ("organizations", "organisation"),
    ("agency", "organisation"),
    ("ministry", "organisation"),
    ("institution", "organisation"),
    ("employer", "organisation"),
    ("mail", "email"),
    ("emails", "email"),
    ("script", "native"),
    ("local", "native"),
    ("salutation", "honorific"),
    ("prefix", "honorific"),
    ("nationality", "country"),
    ("job", "position"),
    ("designation", "position"),
    ("rank", "position"),
    ("absence", "absent"),
    ("absences", "absent"),
    ("miss", "absent"),
    ("lang", "language"),
];

/// `Native name` → `native_name`, `E-mail` → `email`.
pub(super) fn normalise(title: &str) -> String {
    let words: String = title
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    match words.as_str() {
        "e-mail" | "e_mail" | "mail" => "email".into(),
        _ => words.replace('-', "_"),
    }
}

/// The field a header most likely holds, if one is near: spelt within a slip
/// of it (`Natve name`, `Organization`), or the field whose words the header
/// contains, the field with the most such words winning (`Full name (as in
/// passport)` → `name`, `Name in your own script` → `native_name`). A header
/// like no field (`Timestamp`) gets none, never a guess.
pub(super) fn nearest_field<'f>(title: &str, fields: &[&'f str]) -> Option<&'f str> {
    let normal = normalise(title);
    let spelt = fields
        .iter()
        .map(|f| (strsim::damerau_levenshtein(&normal, f), *f))
        .filter(|(distance, field)| *distance <= field.len() / 4)
        .min();
    if let Some((_, field)) = spelt {
        return Some(field);
    }
    // The words fields are made of, to keep a header's words that matter.
    let field_words: Vec<&str> = fields.iter().flat_map(|f| f.split('_')).collect();
    let words: Vec<&str> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            SYNONYMS
                .iter()
                .find(|(said, _)| *said == w)
                .map(|(_, field)| *field)
                .unwrap_or_else(|| field_words.iter().copied().find(|f| *f == w).unwrap_or(""))
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    // An id is never a guess: `Passport ID` is not the participant's id.
    for field in fields.iter().filter(|f| **f != "id") {
        let parts: Vec<&str> = field.split('_').collect();
        if !parts.iter().all(|p| words.contains(p)) {
            continue;
        }
        match best {
            Some((n, _)) if n > parts.len() => {}
            Some((n, _)) if n == parts.len() => tied = true,
            _ => {
                best = Some((parts.len(), field));
                tied = false;
            }
        }
    }
    if tied { None } else { best.map(|(_, f)| f) }
}

/// A header as a key of `columns:`, quoted when YAML would read it otherwise.
pub(super) fn yaml_key(title: &str) -> String {
    let plain = !title.is_empty()
        && !title.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`', ' ',
        ])
        && !title.contains(": ")
        && !title.contains(" #")
        && !title.ends_with([':', ' '])
        && !matches!(
            title.to_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "null" | "~"
        );
    if plain {
        title.to_string()
    } else {
        format!("\"{}\"", title.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The hint for a column that names no field: the field it most likely
/// holds, as a line for `columns:`, or else `~` to ignore it. `field` is what
/// the header was read as; `renamed` when `columns:` named it.
pub(super) fn column_hint(title: &str, field: &str, renamed: bool, fields: &[&str]) -> String {
    let key = yaml_key(title);
    let nearest = nearest_field(if renamed { field } else { title }, fields);
    let known = format!("the fields are {}", fields.join(", "));
    match nearest {
        Some(nearest) if renamed => {
            format!("did you mean `{nearest}`? Write `{key}: {nearest}` under `columns:`; {known}")
        }
        Some(nearest) => format!(
            "it looks like `{nearest}`: map it under `columns:` with `{key}: {nearest}`, or \
             with `{key}: ~` to ignore it; {known}"
        ),
        None => format!(
            "no field is like it: to leave it out, write `{key}: ~` under `columns:`; {known}"
        ),
    }
}

/// 0 → `A`, 25 → `Z`, 26 → `AA`.
pub(super) fn letter(mut column: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTICIPANT: &[&str] = &[
        "id",
        "honorific",
        "name",
        "native_name",
        "country",
        "organisation",
        "position",
        "email",
        "language",
        "absent",
    ];

    #[test]
    fn a_header_is_matched_to_the_field_it_names_or_to_none() {
        for (title, field) in [
            ("Full name (as in passport)", Some("name")),
            ("Name in your own script", Some("native_name")),
            ("Natve name", Some("native_name")),
            ("Organization", Some("organisation")),
            ("Ministry / Agency", Some("organisation")),
            ("Email Address", Some("email")),
            ("E-mail address", Some("email")),
            ("Job title", Some("position")),
            ("Country of residence", Some("country")),
            ("Days you will miss", Some("absent")),
            ("Preferred language", Some("language")),
            ("Timestamp", None),
            ("Passport ID", None),
            ("Dietary requirements", None),
            ("Score", None),
            ("Name and position", None),
        ] {
            assert_eq!(nearest_field(title, PARTICIPANT), field, "{title}");
        }
    }

    #[test]
    fn a_field_added_to_the_model_is_matched_by_its_words() {
        let fields = crate::schema::fields::<crate::schema::Participant>();
        assert_eq!(
            nearest_field("Phone number (WhatsApp)", fields),
            Some("phone")
        );
        assert_eq!(nearest_field("Timestamp", fields), None);
    }

    #[test]
    fn headers_become_keys_yaml_reads_back() {
        assert_eq!(
            yaml_key("Full name (as in passport)"),
            "Full name (as in passport)"
        );
        assert_eq!(yaml_key("Note: optional"), "\"Note: optional\"");
        assert_eq!(yaml_key("#"), "\"#\"");
        assert_eq!(yaml_key("Yes"), "\"Yes\"");
    }
}
