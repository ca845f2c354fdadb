//! Escaping is proven, not hoped: for arbitrary strings that pass validation, the
//! markup the templates print parses back, with Typst's own parser, to exactly the
//! text that went in; so does the string-literal filter.

use proptest::prelude::*;
use secretariat::render::{escape_markup, typst_str};
use typst::syntax::ast::{AstNode, Escape, Str};
use typst::syntax::{SyntaxKind, SyntaxNode, parse, parse_code};

/// The text a piece of markup prints, or `None` when it holds anything but
/// plain text: code, math, emphasis, a label, a reference, a comment, a
/// shorthand, a smart quote, a link, a list or a heading.
fn printed_text(node: &SyntaxNode, out: &mut String) -> Option<()> {
    match node.kind() {
        SyntaxKind::Markup => {
            for child in node.children() {
                printed_text(child, out)?;
            }
        }
        SyntaxKind::Text => out.push_str(node.leaf_text()),
        SyntaxKind::Space | SyntaxKind::Parbreak => out.push(' '),
        SyntaxKind::Escape => out.push(Escape::from_untyped(node)?.get()),
        _ => return None,
    }
    Some(())
}

/// Typst collapses runs of white space into one space, by design.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What validation lets through: no controls or bidirectional overrides.
fn valid(text: &str) -> bool {
    !text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    })
}

/// Strings rich in what Typst treats specially, mixed with any Unicode.
fn hostile() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "#",
        "$",
        "*",
        "_",
        "`",
        "<",
        ">",
        "@",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        "\\",
        "/",
        "//",
        "/*",
        "*/",
        "=",
        "==",
        "-",
        "--",
        "---",
        "+",
        "~",
        "'",
        "\"",
        "...",
        ":",
        ".",
        "1.",
        "http://",
        "https://example.org/a_b",
        "\\u{41}",
        "#let x = 1",
        "#panic(\"x\")",
        "{{ x }}",
        "{% if %}",
        " ",
        "\n",
        "\n\n",
        "\t",
        "ศิริพร",
        "ခင်သန္တာအေး",
        "e\u{301}",
        "\u{0E31}",
        "高橋",
        "\u{200D}",
    ]);
    prop::collection::vec(
        prop_oneof![special.prop_map(str::to_string), any::<String>()],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn escaped_markup_prints_exactly_its_input(input in hostile()) {
        prop_assume!(valid(&input));
        let mut markup = String::new();
        escape_markup(&input, &mut markup);
        let root = parse(&markup);
        prop_assert!(root.errors_and_warnings().0.is_empty(), "{markup:?} does not parse");
        let mut text = String::new();
        prop_assert!(printed_text(&root, &mut text).is_some(), "{markup:?} is not plain text: {root:?}");
        prop_assert_eq!(collapse(&text), collapse(&input));
    }

    #[test]
    fn string_literals_hold_exactly_their_input(input in hostile()) {
        prop_assume!(valid(&input));
        let literal = typst_str(&input);
        let root = parse_code(&literal);
        prop_assert!(root.errors_and_warnings().0.is_empty(), "{literal:?} does not parse");
        let string = root
            .children()
            .find_map(Str::from_untyped)
            .expect("one string literal");
        let value = string.get();
        prop_assert_eq!(value.as_str(), input.as_str());
    }
}
