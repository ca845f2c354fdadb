//! CSV exports: UTF-8 (with or without a byte order mark) unless the import
//! says `encoding: shift_jis`, as Excel writes "CSV" on a Japanese Windows. A
//! file is never guessed at: Shift_JIS not declared is recognised and refused,
//! with the line to add.

use super::*;

/// A CSV file's encoding, as its import entry declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    Utf8,
    ShiftJis,
}

/// The cells of a CSV file in `encoding` (a UTF-8 byte-order mark is allowed).
pub(super) fn csv_grid(file: &Path, from: &str, encoding: Encoding) -> Result<Grid, String> {
    let bytes = read_export(file, from)?;
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let decoded;
    let text: &[u8] = match encoding {
        Encoding::Utf8 => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            if let Err(e) = std::str::from_utf8(bytes) {
                return Err(not_utf8(file, bytes, e.valid_up_to()));
            }
            bytes
        }
        Encoding::ShiftJis if bom => {
            return Err(format!(
                "{} starts with a UTF-8 byte-order mark, so it is UTF-8, not Shift_JIS: remove \
                 `encoding: shift_jis` from its import",
                excerpt(from)
            ));
        }
        Encoding::ShiftJis => {
            let (text, malformed) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
            if malformed {
                let line = text
                    .find('\u{FFFD}')
                    .map_or(1, |at| text[..at].matches('\n').count() + 1);
                return Err(format!(
                    "{} is not Shift_JIS text (line {line}), though its import says \
                     `encoding: shift_jis`: check which encoding it was saved in",
                    excerpt(from)
                ));
            }
            decoded = text.into_owned();
            decoded.as_bytes()
        }
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut grid = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| format!("{}: {e}", excerpt(&file.display().to_string())))?;
        if grid.len() == MAX_IMPORT_ROWS {
            return Err(format!(
                "{} has more than {} rows; a registration export may have at most {} (the \
                 header included): remove the rows that are not registrations",
                excerpt(from),
                grouped(MAX_IMPORT_ROWS as u64),
                grouped(MAX_IMPORT_ROWS as u64)
            ));
        }
        if record.len() > MAX_IMPORT_COLUMNS {
            return Err(format!(
                "{} has {} columns in row {}; a registration export may have at most {}: \
                 remove the columns that hold no registration data",
                excerpt(from),
                grouped(record.len() as u64),
                grid.len() + 1,
                grouped(MAX_IMPORT_COLUMNS as u64)
            ));
        }
        grid.push(record.iter().map(str::to_string).collect());
    }
    Ok(grid)
}

/// The refusal of a file that is not UTF-8, invalid from byte `valid_up_to`;
/// for what reads as Shift_JIS, with the `encoding:` line that reads it.
fn not_utf8(file: &Path, bytes: &[u8], valid_up_to: usize) -> String {
    let line = bytes[..valid_up_to].iter().filter(|&&b| b == b'\n').count() + 1;
    let advice = if looks_like_shift_jis(bytes) {
        " It looks like Shift_JIS (Excel's \"CSV\" in Japan), which cannot hold Thai, Lao, \
         Khmer or Myanmar names. If it holds only Japanese and Latin text, add \
         `encoding: shift_jis` to its import (beside `from:`) to read it as it is; otherwise \
         save it from Excel as \"CSV UTF-8 (Comma delimited)\", or give the .xlsx file itself"
    } else {
        " Save it from Excel as \"CSV UTF-8 (Comma delimited)\", or give the .xlsx file itself"
    };
    format!(
        "{} is not UTF-8 text (line {line}).{advice}",
        excerpt(&file.display().to_string())
    )
}

/// Whether invalid UTF-8 reads as Shift_JIS double-byte characters.
pub(super) fn looks_like_shift_jis(bytes: &[u8]) -> bool {
    let (mut pairs, mut bad) = (0, 0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, 0x81..=0x9F | 0xE0..=0xFC) {
            match bytes.get(i + 1) {
                Some(0x40..=0x7E | 0x80..=0xFC) => pairs += 1,
                _ => bad += 1,
            }
            i += 2;
        } else {
            if b >= 0x80 && !matches!(b, 0xA1..=0xDF) {
                bad += 1;
            }
            i += 1;
        }
    }
    pairs > 0 && bad == 0
}

/// The encoding an import names for its CSV file.
pub(super) fn encoding(named: Option<&str>) -> Result<Encoding, String> {
    let Some(named) = named else {
        return Ok(Encoding::Utf8);
    };
    match named.to_ascii_lowercase().replace('-', "_").as_str() {
        "utf_8" | "utf8" => Ok(Encoding::Utf8),
        "shift_jis" | "sjis" => Ok(Encoding::ShiftJis),
        _ => Err(format!(
            "`encoding: {}` is not an encoding this tool reads; use `utf-8` (the default) or \
             `shift_jis`",
            excerpt(named)
        )),
    }
}
