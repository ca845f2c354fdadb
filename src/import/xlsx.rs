//! .xlsx and .xlsm exports, streamed cell by cell by calamine once the count of
//! texts it reserves room for has been read and bounded.

use super::*;

/// Whether a part is one calamine reads as an .xlsx's shared strings
/// (`xl/sharedStrings.xml`, which it looks up ignoring case and `\` for `/`).
pub(super) fn is_shared_strings(part: &str) -> bool {
    part.replace('\\', "/")
        .to_ascii_lowercase()
        .ends_with("sharedstrings.xml")
}

/// How many texts an .xlsx's shared strings declare. calamine's
/// `read_shared_strings` reserves room for the `uniqueCount` of the first
/// `<sst>` start tag before reading a single text, so that count is read
/// first, as calamine reads it: the same quick-xml with the same settings, the
/// raw value as digits (leading zeros allowed, no sign). Every `uniqueCount`
/// on the tag is taken and the largest kept; one past `u64` is `u64::MAX`.
pub(super) fn unique_count(part: impl BufRead) -> Result<u64, quick_xml::Error> {
    let mut xml = Reader::from_reader(part);
    let config = xml.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf)? {
            Event::Start(sst) if sst.local_name().as_ref() == "sst" => {
                let mut largest = 0;
                for attribute in sst.attributes().with_checks(false) {
                    let attribute = attribute?;
                    let digits = &attribute.value;
                    if attribute.key.as_ref() == "uniqueCount"
                        && !digits.is_empty()
                        && digits.bytes().all(|b| b.is_ascii_digit())
                    {
                        largest = largest.max(digits.parse().unwrap_or(u64::MAX));
                    }
                }
                return Ok(largest);
            }
            Event::Eof => return Ok(0),
            _ => buf.clear(),
        }
    }
}

/// The cells of an .xlsx sheet, streamed: each cell's place is checked as it
/// arrives, and only cells within the bounds are kept.
pub(super) fn xlsx_grid(
    bytes: Vec<u8>,
    file: &Path,
    from: &str,
    sheet: Option<&str>,
) -> Result<(String, Grid), String> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| cannot_read(file, &e))?;
    let name = pick_sheet(file, &book.sheet_names(), sheet)?;
    let mut cells = match book.worksheet_cells_reader(&name) {
        Ok(cells) => cells,
        // A chart sheet: no cells.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok((name, Vec::new())),
        Err(e) => return Err(cannot_read_sheet(&name, file, &e)),
    };
    let mut grid: Grid = Vec::new();
    // The last row and column holding a value, and whether that is too far.
    let (mut last_row, mut last_column, mut too_far_out) = (0, 0, false);
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| cannot_read_sheet(&name, file, &e))?
    {
        if matches!(cell.get_value(), calamine::DataRef::Empty) {
            continue;
        }
        let (row, column) = cell.get_position();
        last_row = last_row.max(row);
        last_column = last_column.max(column);
        if row as usize >= MAX_IMPORT_ROWS || column as usize >= MAX_IMPORT_COLUMNS {
            // Read on, keeping nothing, to name the whole used area.
            too_far_out = true;
            grid = Vec::new();
        }
        if too_far_out {
            continue;
        }
        let (row, column) = (row as usize, column as usize);
        if grid.len() <= row {
            grid.resize_with(row + 1, Vec::new);
        }
        let line = &mut grid[row];
        if line.len() <= column {
            line.resize(column + 1, String::new());
        }
        line[column] = cell_text(&calamine::Data::from(cell.get_value().clone()));
    }
    if too_far_out {
        return Err(too_far(from, &name, last_row.into(), last_column.into()));
    }
    Ok((name, grid))
}

/// A cell as the text a programme file would hold.
pub(super) fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number as a person would write it: `42`, not `42.0`.
pub(super) fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// An Excel serial date (days since 1899-12-30) as `2018-10-29`.
pub(super) fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date");
    base.checked_add_days(chrono::Days::new(serial.floor().max(0.0) as u64))
        .map(|d| d.to_string())
        .unwrap_or_else(|| serial.to_string())
}
