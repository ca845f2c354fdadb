//! CSV exports: UTF-8 (with or without a byte order mark); Shift_JIS, as
//! Excel writes it on a Japanese Windows, is recognised and refused with the fix.

use super::*;

/// The cells of a CSV file, which must be UTF-8 (a byte-order mark is allowed).
pub(super) fn csv_grid(file: &Path, from: &str) -> Result<Grid, String> {
    let bytes = read_export(file, from)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        let guess = if looks_like_shift_jis(bytes) {
            " It looks like Shift_JIS (Excel's \"CSV\" in Japan), which cannot hold Thai, Lao, \
             Khmer or Myanmar names."
        } else {
            ""
        };
        return Err(format!(
            "{} is not UTF-8 text (line {line}).{guess} Save it from Excel as \"CSV UTF-8 \
             (Comma delimited)\", or give the .xlsx file itself",
            excerpt(&file.display().to_string())
        ));
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
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
