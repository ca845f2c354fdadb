//! Participant and staff lists from registration exports: `participants: {from:
//! registrations.xlsx}` (or `.csv`, `.ods`, `.xls`), one row per person, columns
//! mapped to fields by their header.
//!
//! A header names a field (`name`, `Native name`, `E-mail` …: case, spaces and
//! dashes do not matter) or is renamed by the `columns:` table; a column mapped
//! to `~` is ignored. Every other header is an error, so a misspelt column
//! never silently drops its data. A bad cell is reported with file, sheet, row
//! and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::diagnostic::Diagnostic;
use crate::schema::Import;

/// Where an imported row came from, for messages about it.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: PathBuf,
    pub sheet: Option<String>,
    /// 1-based row in the sheet or file.
    pub row: usize,
    /// Field → column letter.
    pub columns: BTreeMap<String, String>,
}

impl Origin {
    /// `sheet "Participants", row 5, column C` (no sheet for CSV).
    pub fn place(&self, field: Option<&str>) -> String {
        let mut place = String::new();
        if let Some(sheet) = &self.sheet {
            place.push_str(&format!("sheet \"{sheet}\", "));
        }
        place.push_str(&format!("row {}", self.row));
        if let Some(column) = field.and_then(|f| self.columns.get(f)) {
            place.push_str(&format!(", column {column}"));
        }
        place
    }
}

/// The rows of an import as YAML mappings (field → text; `absent` a list), and
/// where each came from.
pub struct Rows {
    pub rows: Vec<Value>,
    pub origins: Vec<Origin>,
}

/// Reads the rows an `Import` names. `fields` are the fields a row may have;
/// `list` names the list (`participants`) for messages.
pub fn read(
    import: &Import,
    folder: &Path,
    programme: &Path,
    list: &str,
    fields: &[&str],
) -> Result<Rows, Vec<Diagnostic>> {
    let file = folder.join(&import.from);
    let at = |message: String| {
        vec![Diagnostic::new(programme, (0, 0), message).entry(format!("{list}.from"))]
    };
    if !file.is_file() {
        return Err(at(format!(
            "{} does not exist (it is read relative to the programme file)",
            import.from
        )));
    }
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let (sheet, grid) = match extension.as_str() {
        "csv" => (None, csv_grid(&file).map_err(at)?),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            let (sheet, grid) = sheet_grid(&file, import.sheet.as_deref()).map_err(at)?;
            (Some(sheet), grid)
        }
        _ => {
            return Err(at(format!(
                "{} is not a spreadsheet this tool reads: export the registrations as .xlsx or as UTF-8 .csv",
                import.from
            )));
        }
    };
    let Some((header, body)) = grid.split_first() else {
        return Err(at(format!(
            "{} is empty: its first row must name the columns",
            import.from
        )));
    };
    let origin = |row: usize| Origin {
        file: file.clone(),
        sheet: sheet.clone(),
        row,
        columns: BTreeMap::new(),
    };
    let mut diags = Vec::new();
    // Which field each column holds.
    let mut mapped: Vec<Option<String>> = Vec::new();
    let renames = import.columns.clone().unwrap_or_default();
    for (c, title) in header.iter().enumerate() {
        let title = title.trim();
        let field = match renames.get(title) {
            Some(Some(field)) => Some(field.clone()),
            Some(None) => None,
            None if title.is_empty() => None,
            None => Some(normalise(title)),
        };
        if let Some(field) = &field
            && !fields.contains(&field.as_str())
        {
            let mut o = origin(1);
            o.columns.insert(field.clone(), letter(c));
            diags.push(
                Diagnostic::new(&file, (0, 0), format!("the column `{title}` is not a field of {list}"))
                    .entry(format!("{list}.from"))
                    .place(o.place(Some(field)))
                    .hint(format!(
                        "fields are {}; rename the column in `columns:` (`{title}: name`), or map it to ~ to ignore it",
                        fields.join(", ")
                    )),
            );
        }
        if let Some(field) = &field
            && mapped.iter().flatten().any(|f| f == field)
        {
            diags.push(
                Diagnostic::new(
                    &file,
                    (0, 0),
                    format!("two columns hold the field `{field}`"),
                )
                .entry(format!("{list}.from"))
                .place(origin(1).place(None)),
            );
        }
        mapped.push(field);
    }
    for title in renames.keys() {
        if !header.iter().any(|h| h.trim() == title) {
            diags.push(
                Diagnostic::new(
                    programme,
                    (0, 0),
                    format!(
                        "`columns:` renames `{title}`, but {} has no such column",
                        import.from
                    ),
                )
                .entry(format!("{list}.columns")),
            );
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let columns: BTreeMap<String, String> = mapped
        .iter()
        .enumerate()
        .filter_map(|(c, f)| Some((f.clone()?, letter(c))))
        .collect();
    let mut rows = Vec::new();
    let mut origins = Vec::new();
    for (r, cells) in body.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut o = origin(r + 2);
        o.columns = columns.clone();
        let id = mapped
            .iter()
            .position(|f| f.as_deref() == Some("id"))
            .and_then(|c| cells.get(c))
            .map(|id| id.trim())
            .filter(|id| !id.is_empty())
            .unwrap_or("?");
        let entry = format!("{list}[{}] ({id})", rows.len());
        let mut row = Mapping::new();
        for (c, cell) in cells.iter().enumerate() {
            let Some(Some(field)) = mapped.get(c) else {
                continue;
            };
            let text = cell.trim();
            if text.is_empty() {
                continue;
            }
            let value = if field == "absent" {
                let mut dates = Vec::new();
                for date in text.split([',', ';', ' ', '\n']).filter(|d| !d.is_empty()) {
                    if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
                        diags.push(
                            Diagnostic::new(
                                &file,
                                (0, 0),
                                format!("`{date}` is not a date written like 2024-05-13"),
                            )
                            .entry(entry.clone())
                            .place(o.place(Some(field))),
                        );
                    }
                    dates.push(Value::String(date.to_string()));
                }
                Value::Sequence(dates)
            } else {
                Value::String(text.to_string())
            };
            row.insert(Value::String(field.clone()), value);
        }
        rows.push(Value::Mapping(row));
        origins.push(o);
    }
    if diags.is_empty() {
        Ok(Rows { rows, origins })
    } else {
        Err(diags)
    }
}

/// `Native name` → `native_name`, `E-mail` → `email`.
fn normalise(title: &str) -> String {
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

/// 0 → `A`, 25 → `Z`, 26 → `AA`.
fn letter(mut column: usize) -> String {
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

/// The cells of a CSV file, which must be UTF-8 (a byte-order mark is allowed).
fn csv_grid(file: &Path) -> Result<Vec<Vec<String>>, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
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
            file.display()
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{}: {e}", file.display()))?;
        grid.push(record.iter().map(str::to_string).collect());
    }
    Ok(grid)
}

/// Whether invalid UTF-8 reads as Shift_JIS double-byte characters.
fn looks_like_shift_jis(bytes: &[u8]) -> bool {
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

/// The cells of a spreadsheet's sheet (the first unless named), as text.
fn sheet_grid(file: &Path, sheet: Option<&str>) -> Result<(String, Vec<Vec<String>>), String> {
    use calamine::{Data, Reader};
    let mut workbook = calamine::open_workbook_auto(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(sheet) if names.iter().any(|n| n == sheet) => sheet.to_string(),
        Some(sheet) => {
            return Err(format!(
                "{} has no sheet \"{sheet}\"; its sheets are {}",
                file.display(),
                names.join(", ")
            ));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| format!("{} has no sheets", file.display()))?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| format!("cannot read sheet \"{name}\" of {}: {e}", file.display()))?;
    // Rows and columns before the used range's start are empty; keep the
    // sheet's own numbering for messages.
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut grid: Vec<Vec<String>> = vec![Vec::new(); top as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); left as usize];
        cells.extend(row.iter().map(|cell| match cell {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => excel_date(d.as_f64()),
            Data::Error(e) => format!("#{e:?}"),
        }));
        grid.push(cells);
    }
    Ok((name, grid))
}

/// An Excel serial date (days since 1899-12-30) as `2018-10-29`.
fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date");
    base.checked_add_days(chrono::Days::new(serial.floor().max(0.0) as u64))
        .map(|d| d.to_string())
        .unwrap_or_else(|| serial.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_columns_read_as_people_write_them() {
        assert_eq!(normalise("Native name"), "native_name");
        assert_eq!(normalise("E-mail"), "email");
        assert_eq!(normalise(" Organisation "), "organisation");
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(excel_date(43402.0), "2018-10-29");
    }

    #[test]
    fn shift_jis_is_told_apart_from_other_encodings() {
        // 国立 in Shift_JIS.
        assert!(looks_like_shift_jis(b"id,name\n1,\x8d\x91\x97\xa7\n"));
        // é in Latin-1 is not.
        assert!(!looks_like_shift_jis(b"id,name\n1,Jos\xe9\n"));
    }
}
