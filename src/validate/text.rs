//! Every string of the file, wherever it is: which characters it may hold
//! ([`forbidden`]) and how long it may be ([`max_chars`]).

use super::Validator;
use crate::load::Text;

/// The longest string each kind of field can print: a name on a badge or a
/// certificate, a title on a schedule, anything else in a letter. Every
/// document holds every field at its longest, or refuses it when typeset
/// (a name too wide for its badge, an address for its window), as the tests
/// of the longest programme prove.
pub fn max_chars(path: &str) -> usize {
    let key = path.rsplit('.').next().unwrap_or(path);
    let key = key.split('[').next().unwrap_or(key);
    let person = ["participants", "staff", "signatories", "programme.contact"]
        .iter()
        .any(|list| path.starts_with(list));
    match key {
        "id" => 64,
        // A person's name goes on a badge, the secretariat's in every
        // working document's footer.
        "name" | "native_name" | "name_ja" | "honorific" if person => 120,
        // On every page's running header and on badges, beside the logo.
        "short_title" => 60,
        "short" => 120,
        // On certificates, side by side, and at the head of every letter.
        "name" | "name_ja" if path.starts_with("organisations") => 300,
        "title" | "title_ja" | "addressee" | "addressee_ja" | "addressee_name_ja" | "position"
        | "organisation" | "place" | "place_ja" | "address" | "address_ja" | "speakers" => 300,
        // In footers and letterheads, and a column of the participant list.
        // Addresses are seldom half as long; the standard allows 254.
        "email" => 100,
        // International format with an extension.
        "phone" => 40,
        _ => 1000,
    }
}

/// Characters no printed value may hold: controls (a value is one line of
/// print) and the bidirectional overrides and isolates, which can make text
/// display in an order other than the one it is stored in.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

impl Validator<'_> {
    /// Checks a string of the file: printable characters only, a plausible
    /// year if it is a date, and no longer than its field can print.
    pub(super) fn text(&mut self, text: &Text) {
        if let Some(c) = text.value.chars().find(|&c| forbidden(c)) {
            let field = text.path.rsplit('.').next().unwrap_or(&text.path);
            self.error(
                &text.path,
                &text.entry,
                format!(
                    "`{field}` contains the invisible control character U+{:04X}; retype the \
                     value without it (it often comes from copying out of a form or a PDF)",
                    c as u32
                ),
            );
        }
        self.plausible_year(text);
        let length = text.value.chars().count();
        let max = max_chars(&text.path);
        if length > max {
            let field = text.path.rsplit('.').next().unwrap_or(&text.path);
            self.error(
                &text.path,
                &text.entry,
                format!("`{field}` is {length} characters long; it can print at most {max}"),
            );
        }
    }
}
