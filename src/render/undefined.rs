//! Explaining an undefined value in a template: which name on the line the
//! context lacks, what its parent has instead, and the nearest of those.

use minijinja::Value;

/// A name a template reads that its context does not have.
pub struct Unknown {
    /// `participant`, or empty for a top-level name.
    parent: String,
    field: String,
    /// What the parent has, sorted.
    has: Vec<String>,
}

impl Unknown {
    pub fn message(&self) -> String {
        match self.parent.is_empty() {
            true => format!("undefined value: the context has no `{}`", self.field),
            false => format!(
                "undefined value: `{}` has no field `{}`",
                self.parent, self.field
            ),
        }
    }

    pub fn hint(&self) -> String {
        let owner = match self.parent.is_empty() {
            true => "the context".to_string(),
            false => format!("`{}`", self.parent),
        };
        let has: Vec<String> = self.has.iter().map(|k| format!("`{k}`")).collect();
        let listed = format!("{owner} has {}", has.join(", "));
        match crate::diagnostic::nearest(&self.field, self.has.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`? ({listed})"),
            None => listed,
        }
    }
}

/// The first dotted name on `line` (of the template `source`) that `context`
/// lacks. A loop variable (`{% for p in participants %}`) stands for the
/// first item of what it loops over.
pub fn field(line: &str, source: &str, context: &Value) -> Option<Unknown> {
    for path in dotted_names(line) {
        let mut parts = path.split('.');
        let first = parts.next()?;
        let (mut value, mut walked) = match lookup(context, first) {
            Some(value) => (value, first.to_string()),
            None => match loop_item(source, first, context) {
                Some(value) => (value, first.to_string()),
                None if is_keyword(first) => continue,
                // Maybe a variable the template sets itself: not ours to judge.
                None if sets(source, first) => continue,
                None => {
                    return Some(Unknown {
                        parent: String::new(),
                        field: first.to_string(),
                        has: keys(context),
                    });
                }
            },
        };
        for part in parts {
            match lookup(&value, part) {
                Some(next) => value = next,
                None if value.as_object().is_some() && !keys(&value).is_empty() => {
                    return Some(Unknown {
                        parent: walked,
                        field: part.to_string(),
                        has: keys(&value),
                    });
                }
                // A method (`.items`) or a value that is none: not a field typo.
                None => break,
            }
            walked = format!("{walked}.{part}");
        }
    }
    None
}

fn lookup(value: &Value, key: &str) -> Option<Value> {
    value.get_attr(key).ok().filter(|v| !v.is_undefined())
}

/// A map's keys, sorted.
fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = match value.try_iter() {
        Ok(keys) if value.kind() == minijinja::value::ValueKind::Map => {
            keys.filter_map(|k| k.as_str().map(String::from)).collect()
        }
        _ => Vec::new(),
    };
    keys.sort();
    keys
}

/// The names in the expressions and statements of `line`, dotted
/// (`participant.country.name`), outside string literals.
fn dotted_names(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut after_dot = false;
    for c in line.chars().chain(std::iter::once(' ')) {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        let word = c.is_ascii_alphanumeric() || c == '_';
        if word || (c == '.' && !current.is_empty()) {
            if current.is_empty() && c.is_ascii_digit() {
                after_dot = false;
                continue;
            }
            current.push(c);
            continue;
        }
        // A name right after `)` or `]` followed by a dot is a method result.
        if !current.is_empty() && !after_dot {
            names.push(current.trim_end_matches('.').to_string());
        }
        current.clear();
        after_dot = c == ')' || c == ']';
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
    }
    names
}

/// The first item of the sequence `name` loops over in `source`, if it is a
/// loop variable.
fn loop_item(source: &str, name: &str, context: &Value) -> Option<Value> {
    let marker = format!("for {name} in ");
    let start = source.find(&marker)? + marker.len();
    let expr: String = source[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let mut parts = expr.split('.');
    let mut value = lookup(context, parts.next()?)
        .or_else(|| loop_item(source, expr.split('.').next()?, context))?;
    for part in parts {
        value = lookup(&value, part)?;
    }
    value.try_iter().ok()?.next()
}

/// Whether `source` sets `name` itself (`{% set name = … %}`, a macro or its
/// arguments): then the context need not have it.
fn sets(source: &str, name: &str) -> bool {
    source.contains(&format!("set {name}"))
        || source.contains(&format!("macro {name}"))
        || source.contains(&format!("import {name}"))
        || source.contains(&format!("as {name}"))
        || source.contains(&format!("{name},"))
        || source.contains(&format!("{name})"))
        || source.contains(&format!("{name}="))
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "if" | "else"
            | "elif"
            | "endif"
            | "for"
            | "endfor"
            | "in"
            | "not"
            | "and"
            | "or"
            | "is"
            | "set"
            | "endset"
            | "macro"
            | "endmacro"
            | "call"
            | "include"
            | "import"
            | "from"
            | "as"
            | "with"
            | "true"
            | "false"
            | "none"
            | "True"
            | "False"
            | "None"
            | "loop"
            | "block"
            | "endblock"
            | "extends"
            | "filter"
            | "endfilter"
            | "raw"
            | "endraw"
            | "defined"
            | "undefined"
            | "recursive"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Value {
        minijinja::context! {
            participant => minijinja::context! { name => "Siriporn", country => minijinja::context! { code => "TH" } },
            participants => vec![minijinja::context! { name => "A", email => "a@b" }],
        }
    }

    #[test]
    fn names_the_misspelt_field_its_parent_and_the_nearest() {
        let unknown = field("{{ participant.nmae }}", "", &context()).unwrap();
        assert_eq!(
            unknown.message(),
            "undefined value: `participant` has no field `nmae`"
        );
        assert_eq!(
            unknown.hint(),
            "did you mean `name`? (`participant` has `country`, `name`)"
        );
        let nested = field("{{ participant.country.cdoe | upper }}", "", &context()).unwrap();
        assert_eq!(
            nested.message(),
            "undefined value: `participant.country` has no field `cdoe`"
        );
    }

    #[test]
    fn follows_loop_variables_and_skips_literals() {
        let source = "{% for p in participants %}\n{{ p.emial }}\n{% endfor %}";
        let unknown = field("{{ p.emial }}", source, &context()).unwrap();
        assert_eq!(
            unknown.message(),
            "undefined value: `p` has no field `emial`"
        );
        assert!(field("{{ \"participant.nmae\" }}", "", &context()).is_none());
        let top = field("{{ particpant.name }}", "", &context()).unwrap();
        assert!(
            top.hint().starts_with("did you mean `participant`?"),
            "{}",
            top.hint()
        );
    }
}
