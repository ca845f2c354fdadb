//! Font preflight: before anything is typeset, every character of every string
//! in the programme is checked against the fonts the build can use, so a missing
//! glyph is reported with its entry and field instead of printing as a box.
//!
//! Coverage does not prove shaping; the typeset documents are checked for the
//! missing glyph afterwards as well (`typeset::Typesetter::missing_glyphs`).

use std::collections::HashMap;
use std::path::Path;

use typst::text::FontBook;

use crate::diagnostic::Diagnostic;
use crate::load::{Positions, Text};

/// One diagnostic per string holding characters no font covers.
pub fn fonts(
    strings: &[Text],
    positions: &Positions,
    book: &FontBook,
    folder: &Path,
) -> Vec<Diagnostic> {
    let mut covered: HashMap<char, bool> = HashMap::new();
    let mut covers = |c: char| {
        *covered.entry(c).or_insert_with(|| {
            (0..)
                .map_while(|i| book.info(i))
                .any(|info| info.coverage.contains(c as u32))
        })
    };
    let mut diags = Vec::new();
    for text in strings {
        let mut missing: Vec<char> = Vec::new();
        for c in text.value.chars() {
            // Spacing and joiners print as nothing; no font needs a glyph for them.
            let invisible = c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}');
            if !invisible && !missing.contains(&c) && !covers(c) {
                missing.push(c);
            }
        }
        if missing.is_empty() {
            continue;
        }
        let field = text.path.rsplit('.').next().unwrap_or(&text.path);
        let listed: Vec<String> = missing
            .iter()
            .map(|c| format!("`{c}` (U+{:04X})", *c as u32))
            .collect();
        let mut diag = positions
            .at(
                &text.path,
                format!("no font can print {} in `{field}`", listed.join(", ")),
            )
            .hint(format!(
                "put a font file (.ttf or .otf) that covers {} into {}",
                if missing.len() == 1 { "it" } else { "them" },
                folder.join("fonts").display()
            ));
        if !text.entry.is_empty() {
            diag = diag.entry(text.entry.clone());
        }
        diags.push(diag);
    }
    diags
}
