//! Participant and staff lists from registration exports: `participants: {from:
//! registrations.xlsx}` (or `.xlsm`, `.ods`, `.csv`), one row per person,
//! columns mapped to fields by their header.
//!
//! A header names a field (`name`, `Native name`, `E-mail` …: case, spaces and
//! dashes do not matter) or is renamed by the `columns:` table; a column mapped
//! to `~` is ignored. Every other header is an error, so a misspelt column
//! never silently drops its data. A bad cell is reported with file, sheet, row
//! and column.
//!
//! An export is bounded before anything it declares is allocated: its size on
//! disk ([`MAX_IMPORT_BYTES`]), what its zip parts actually inflate to
//! ([`MAX_IMPORT_INFLATED_BYTES`]), and the rows and columns its sheet spans
//! ([`MAX_IMPORT_ROWS`], [`MAX_IMPORT_COLUMNS`]).
//!
//! - An .xlsx sheet is streamed cell by cell by calamine, so a stray cell at
//!   `XFD1048576` costs nothing. The one size calamine trusts, the count of
//!   texts it reserves room for, is read first ([`unique_count`]).
//! - An .ods is read here, not by calamine (which builds every sheet whole,
//!   writing out every repeated row and cell): `content.xml` is streamed with
//!   quick-xml, and a repeated row or cell is checked against the bounds
//!   before it is written out ([`Sheet`]).
//! - `.xls` and `.xlsb` are refused: calamine reads them whole, trusting sizes
//!   they declare, and they cannot be checked as cheaply.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::io::{BufRead, BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::reader::Reader;
use serde_yaml::{Mapping, Value};

use crate::diagnostic::{Diagnostic, excerpt, grouped};
use crate::limits::{
    MAX_IMPORT_BYTES, MAX_IMPORT_COLUMNS, MAX_IMPORT_INFLATED_BYTES, MAX_IMPORT_ROWS,
    MAX_PATH_CHARS,
};
use crate::schema::Import;

/// The cells of a sheet or CSV file as text, row by row; a row ends at its last
/// cell.
type Grid = Vec<Vec<String>>;

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
            place.push_str(&format!("sheet \"{}\", ", excerpt(sheet)));
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
    if import.from.chars().count() > MAX_PATH_CHARS {
        return Err(at(format!(
            "the path `{}` is longer than {MAX_PATH_CHARS} characters; name the file by a \
             short path next to the programme file",
            excerpt(&import.from)
        )));
    }
    // Through the programme folder's one door: nothing outside it, nothing
    // but a regular file.
    let resolved = match crate::files::Root::new(folder) {
        Ok(root) => root.resolve(&import.from).map(drop),
        Err(err) => Err(crate::files::Refused::Io(err)),
    };
    match resolved {
        Ok(()) => {}
        Err(crate::files::Refused::NotFound) => {
            return Err(at(format!(
                "{} does not exist (it is read relative to the programme file)",
                excerpt(&import.from)
            )));
        }
        Err(refused) => return Err(at(refused.describe(&import.from))),
    }
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let (sheet, grid) = match extension.as_str() {
        "csv" => (None, csv_grid(&file, &import.from).map_err(at)?),
        "xlsx" | "xlsm" | "ods" => {
            let (sheet, grid) = sheet_grid(
                &file,
                &import.from,
                extension == "ods",
                import.sheet.as_deref(),
            )
            .map_err(at)?;
            (Some(sheet), grid)
        }
        // calamine reads these whole, trusting the sizes they declare.
        "xls" | "xlsb" => {
            let kind = if extension == "xls" {
                "an Excel 97-2003 workbook (.xls)"
            } else {
                "an Excel binary workbook (.xlsb)"
            };
            return Err(at(format!(
                "{} is {kind}, which this tool does not read: open it in Excel or LibreOffice \
                 and save it as .xlsx (Excel Workbook), or as CSV UTF-8",
                excerpt(&import.from)
            )));
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
        let quoted = excerpt(title);
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
                Diagnostic::new(
                    &file,
                    (0, 0),
                    format!("the column `{quoted}` is not a field of {list}"),
                )
                .entry(format!("{list}.from"))
                .place(o.place(Some(field)))
                .hint(format!(
                    "fields are {}; rename the column in `columns:` (`{quoted}: name`), or map it to ~ to ignore it",
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
                    format!("two columns hold the field `{}`", excerpt(field)),
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
                        "`columns:` renames `{}`, but {} has no such column",
                        excerpt(title),
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
                                format!(
                                    "`{}` is not a date written like 2024-05-13",
                                    excerpt(date)
                                ),
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
fn csv_grid(file: &Path, from: &str) -> Result<Grid, String> {
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
    let mut reader = csv::ReaderBuilder::new()
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

/// The bytes of an export, refused past [`MAX_IMPORT_BYTES`] before reading.
/// Spreadsheets are parsed from these bytes, so what was measured is what is
/// read.
fn read_export(file: &Path, from: &str) -> Result<Vec<u8>, String> {
    crate::files::read_regular(file, MAX_IMPORT_BYTES).map_err(|refused| match refused {
        crate::files::Refused::TooLarge(max) => format!(
            "{} is larger than {} MB, the most this tool reads for a registration export: \
             export only the registration table, as .xlsx or as UTF-8 .csv",
            excerpt(from),
            max >> 20
        ),
        other => other.describe(from),
    })
}

/// How a compound (OLE) file starts: an encrypted .xlsx, or an .xls.
const COMPOUND_FILE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// The cells of a spreadsheet's sheet (the first unless named), as text.
fn sheet_grid(
    file: &Path,
    from: &str,
    ods: bool,
    sheet: Option<&str>,
) -> Result<(String, Grid), String> {
    let bytes = read_export(file, from)?;
    // calamine's .xlsx reader parses such a file as a compound file first,
    // following sector chains it declares.
    if bytes.starts_with(COMPOUND_FILE) {
        return Err(format!(
            "{} is password-protected, or is an old-format workbook under a new name: open it \
             in Excel or LibreOffice and save it as .xlsx, without a password",
            excerpt(from)
        ));
    }
    measure(&bytes, file, from, ods)?;
    if ods {
        ods_grid(bytes, file, from, sheet)
    } else {
        xlsx_grid(bytes, file, from, sheet)
    }
}

fn cannot_read(file: &Path, error: &dyn Display) -> String {
    format!(
        "cannot read {}: {}",
        excerpt(&file.display().to_string()),
        excerpt(&error.to_string())
    )
}

fn cannot_read_sheet(name: &str, file: &Path, error: &dyn Display) -> String {
    format!(
        "cannot read sheet \"{}\" of {}: {}",
        excerpt(name),
        excerpt(&file.display().to_string()),
        excerpt(&error.to_string())
    )
}

/// Inflates every part of a zip-based workbook (.xlsx, .ods) into a sink, so
/// that what it holds is known by its actual size, never the size the zip
/// declares; refused past [`MAX_IMPORT_INFLATED_BYTES`] in all. On the way,
/// the count of texts an .xlsx declares is read ([`unique_count`]).
fn measure(bytes: &[u8], file: &Path, from: &str, ods: bool) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| cannot_read(file, &e))?;
    let mut total: u64 = 0;
    let mut declared = 0;
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(|e| cannot_read(file, &e))?;
        let part = match entry.name() {
            Ok(name) => name.into_owned(),
            Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
        };
        // One byte more than is left, to tell "exactly at the bound" from "past it".
        let allowed = MAX_IMPORT_INFLATED_BYTES - total + 1;
        let mut bounded = (&mut entry).take(allowed);
        let mut part_bytes = BufReader::new(&mut bounded);
        let count = (!ods && is_shared_strings(&part)).then(|| unique_count(&mut part_bytes));
        let rest = std::io::copy(&mut part_bytes, &mut std::io::sink());
        drop(part_bytes);
        // The size first: a part cut short by the bound is unreadable too.
        total += allowed - bounded.limit();
        if total > MAX_IMPORT_INFLATED_BYTES {
            return Err(format!(
                "{} holds more than {} MB once decompressed, the most this tool reads for a \
                 registration export: save the registration table alone as .xlsx, or as UTF-8 \
                 .csv",
                excerpt(from),
                MAX_IMPORT_INFLATED_BYTES >> 20
            ));
        }
        rest.map_err(|e| cannot_read(file, &e))?;
        if let Some(count) = count {
            let count = count.map_err(|e| cannot_read(file, &format!("{part}: {e}")))?;
            declared = declared.max(count);
        }
    }
    // calamine reserves room for this many strings before reading one.
    let most = MAX_IMPORT_INFLATED_BYTES / size_of::<String>() as u64;
    if declared > most {
        return Err(format!(
            "{} says it holds {} different texts; a registration export may hold at most {}: \
             the file is damaged, or holds far more than registrations; save the registration \
             table alone as .xlsx, or as UTF-8 .csv",
            excerpt(from),
            grouped(declared),
            grouped(most)
        ));
    }
    Ok(())
}

/// Whether a part is one calamine reads as an .xlsx's shared strings
/// (`xl/sharedStrings.xml`, which it looks up ignoring case and `\` for `/`).
fn is_shared_strings(part: &str) -> bool {
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
fn unique_count(part: impl BufRead) -> Result<u64, quick_xml::Error> {
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

/// The message for a sheet whose used area ends at 0-based `row`, `column`.
fn too_far(from: &str, sheet: &str, row: u64, column: u64) -> String {
    format!(
        "{} uses cells up to {}{} (sheet \"{}\"); a registration sheet may span at most {} rows \
         and {} columns: delete the stray cells beyond the table, or copy the table to a new \
         sheet",
        excerpt(from),
        letter(usize::try_from(column).unwrap_or(usize::MAX)),
        row.saturating_add(1),
        excerpt(sheet),
        grouped(MAX_IMPORT_ROWS as u64),
        grouped(MAX_IMPORT_COLUMNS as u64)
    )
}

/// The sheet to read: the one named, else the first.
fn pick_sheet(file: &Path, names: &[String], sheet: Option<&str>) -> Result<String, String> {
    match (sheet, names.first()) {
        (Some(sheet), _) if names.iter().any(|n| n == sheet) => Ok(sheet.to_string()),
        (None, Some(first)) => Ok(first.clone()),
        _ => Err(missing_sheet(file, names, sheet)),
    }
}

/// The message for a sheet not found among `names`.
fn missing_sheet(file: &Path, names: &[String], sheet: Option<&str>) -> String {
    match sheet {
        Some(sheet) => format!(
            "{} has no sheet \"{}\"; its sheets are {}",
            excerpt(&file.display().to_string()),
            excerpt(sheet),
            excerpt(&names.join(", "))
        ),
        None => format!("{} has no sheets", excerpt(&file.display().to_string())),
    }
}

/// The cells of an .xlsx sheet, streamed: each cell's place is checked as it
/// arrives, and only cells within the bounds are kept.
fn xlsx_grid(
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
fn cell_text(cell: &calamine::Data) -> String {
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
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The cells of an .ods sheet (the first unless named), read from its
/// `content.xml` ([`ods_sheet`]). Not by calamine: it builds every sheet whole
/// when it opens the file, writing out every repeated row and cell.
fn ods_grid(
    bytes: Vec<u8>,
    file: &Path,
    from: &str,
    sheet: Option<&str>,
) -> Result<(String, Grid), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| cannot_read(file, &e))?;
    if encrypted(&mut zip).map_err(|e| cannot_read(file, &e))? {
        return Err(format!(
            "{} is password-protected: save it again without a password, as .xlsx or .ods",
            excerpt(from)
        ));
    }
    let content = zip
        .by_name("content.xml")
        .map_err(|e| cannot_read(file, &format!("content.xml: {e}")))?;
    // `measure` has inflated it within the bound; the bound holds here too.
    let content = BufReader::new(content.take(MAX_IMPORT_INFLATED_BYTES));
    ods_sheet(content, file, from, sheet)
}

/// Whether an .ods is encrypted: its manifest then says how, part by part
/// (`<manifest:encryption-data>`), and the parts are not XML.
fn encrypted<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Result<bool, String> {
    let manifest = match zip.by_name("META-INF/manifest.xml") {
        Ok(manifest) => manifest,
        Err(zip::result::ZipError::FileNotFound) => return Ok(false),
        Err(e) => return Err(format!("META-INF/manifest.xml: {e}")),
    };
    let mut xml = Reader::from_reader(BufReader::new(manifest.take(MAX_IMPORT_INFLATED_BYTES)));
    let mut buf = Vec::new();
    loop {
        let event = xml.read_event_into(&mut buf);
        match event.map_err(|e| format!("META-INF/manifest.xml: {e}"))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "encryption-data" => {
                return Ok(true);
            }
            Event::Eof => return Ok(false),
            _ => buf.clear(),
        }
    }
}

/// The sheet named `wanted` (else the first) of an .ods's `content.xml`,
/// streamed: each `<table:table>` is a sheet, named by `table:name`; those
/// before the one wanted are skipped, and reading stops after it.
fn ods_sheet(
    content: impl BufRead,
    file: &Path,
    from: &str,
    wanted: Option<&str>,
) -> Result<(String, Grid), String> {
    let mut xml = Reader::from_reader(content);
    // `<a/>` is read as `<a></a>`: every element a start and an end.
    xml.config_mut().expand_empty_elements = true;
    let unreadable = |e: &dyn Display| cannot_read(file, &format!("content.xml: {e}"));
    let mut names = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let name = match xml.read_event_into(&mut buf).map_err(|e| unreadable(&e))? {
            Event::Start(table) if table.name().as_ref() == "table:table" => {
                attribute(&table, "table:name")
                    .map_err(|e| unreadable(&e))?
                    .unwrap_or_default()
            }
            Event::Eof => return Err(missing_sheet(file, &names, wanted)),
            _ => continue,
        };
        if wanted.map_or(names.is_empty(), |wanted| wanted == name) {
            let sheet = Sheet {
                file,
                from,
                name: &name,
                grid: Vec::new(),
                next_row: 0,
                last: (0, 0),
                too_far: false,
                cost: 0,
            };
            let grid = sheet.read(&mut xml)?;
            return Ok((name, grid));
        }
        names.push(name);
        xml.read_to_end_into(QName("table:table"), &mut buf)
            .map_err(|e| unreadable(&e))?;
    }
}

/// What a row and a cell of the grid take in memory before their text.
const ROW_BYTES: u64 = size_of::<Vec<String>>() as u64;
const CELL_BYTES: u64 = size_of::<String>() as u64;

/// An .ods sheet as it is read into a grid.
///
/// A row or cell may say it repeats (`table:number-rows-repeated`,
/// `table:number-columns-repeated`): LibreOffice ends a sheet with a million
/// empty rows, each a run of empty cells to the last column, and a few bytes
/// can ask for billions. So nothing repeated is written out before it is
/// checked: empty rows and cells are only counted, and written out only when
/// a value follows them in the sheet or row (trailing ones cost nothing); a
/// value beyond [`MAX_IMPORT_ROWS`] or [`MAX_IMPORT_COLUMNS`] is refused, the
/// whole used area named; and what the grid takes in memory, text included,
/// is kept within [`MAX_IMPORT_INFLATED_BYTES`].
struct Sheet<'a> {
    file: &'a Path,
    from: &'a str,
    name: &'a str,
    grid: Grid,
    /// The sheet's next row, repeats counted. The empty rows between the end
    /// of `grid` and it are written out only if a row with a value follows.
    next_row: u64,
    /// The last row and column holding a value, 0-based.
    last: (u64, u64),
    /// Whether a value lies beyond the bounds: the grid is then dropped, and
    /// the rest read only to name the whole used area.
    too_far: bool,
    /// What `grid` takes in memory.
    cost: u64,
}

/// A row of an .ods sheet as it is read.
#[derive(Default)]
struct Row {
    cells: Vec<String>,
    /// The row's next column, repeats counted; empty cells as for rows.
    next: u64,
    /// The last column holding a value.
    last: Option<u64>,
    /// What `cells` takes in memory.
    cost: u64,
}

impl Sheet<'_> {
    /// The rows up to the sheet's end, wherever they are in it (they may be
    /// grouped: `table:table-header-rows`, `table:table-row-group`).
    fn read(mut self, xml: &mut Reader<impl BufRead>) -> Result<Grid, String> {
        let (mut buf, mut depth) = (Vec::new(), 0u32);
        loop {
            match self.next(xml, &mut buf)? {
                Event::Start(row) if row.name().as_ref() == "table:table-row" => {
                    let repeat = self.count(&row, "table:number-rows-repeated")?;
                    let row = self.read_row(xml)?;
                    self.add_row(row, repeat)?;
                }
                Event::Start(_) => depth += 1,
                // quick-xml checks that each end tag matches its start tag.
                Event::End(_) if depth == 0 => break,
                Event::End(_) => depth -= 1,
                _ => {}
            }
        }
        if self.too_far {
            let (row, column) = self.last;
            return Err(too_far(self.from, self.name, row, column));
        }
        Ok(self.grid)
    }

    /// The cells up to the row's end.
    fn read_row(&mut self, xml: &mut Reader<impl BufRead>) -> Result<Row, String> {
        let (mut row, mut buf, mut depth) = (Row::default(), Vec::new(), 0u32);
        loop {
            match self.next(xml, &mut buf)? {
                Event::Start(cell)
                    if matches!(
                        cell.name().as_ref(),
                        "table:table-cell" | "table:covered-table-cell"
                    ) =>
                {
                    let repeat = self.count(&cell, "table:number-columns-repeated")?;
                    let typed = typed_value(&cell).map_err(|e| self.unreadable(&e))?;
                    let text = self.read_cell(xml)?;
                    self.add_cell(&mut row, typed.unwrap_or(text), repeat)?;
                }
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => return Ok(row),
                Event::End(_) => depth -= 1,
                _ => {}
            }
        }
    }

    /// A cell's text: its paragraphs (`text:p`) joined by newlines, spans and
    /// links in them included; `<text:s text:c="3"/>` is three spaces,
    /// `<text:tab/>` a tab, `<text:line-break/>` a newline. Anything else (a
    /// comment, a drawing anchored to the cell) is skipped.
    fn read_cell(&self, xml: &mut Reader<impl BufRead>) -> Result<String, String> {
        let (mut text, mut buf, mut depth, mut paragraphs) = (String::new(), Vec::new(), 0u32, 0);
        loop {
            match self.next(xml, &mut buf)? {
                Event::Start(e) => match (depth, e.name().as_ref()) {
                    (0, "text:p") => {
                        // A newline between paragraphs.
                        self.append(&mut text, "\n", u64::from(paragraphs > 0))?;
                        paragraphs += 1;
                        depth += 1;
                    }
                    (0, _) | (_, "office:annotation") => {
                        let end = e.to_end().into_owned();
                        xml.read_to_end_into(end.name(), &mut Vec::new())
                            .map_err(|e| self.unreadable(&e))?;
                    }
                    (_, name) => {
                        let (piece, times) = match name {
                            "text:s" => (" ", self.count(&e, "text:c")?),
                            "text:tab" => ("\t", 1),
                            "text:line-break" => ("\n", 1),
                            _ => ("", 0),
                        };
                        self.append(&mut text, piece, times)?;
                        depth += 1;
                    }
                },
                Event::Text(t) if depth > 0 => self.append(&mut text, &t.xml10_content(), 1)?,
                Event::GeneralRef(r) if depth > 0 => {
                    let resolved = reference(&r).map_err(|e| self.unreadable(&e))?;
                    self.append(&mut text, &resolved, 1)?;
                }
                Event::End(_) if depth == 0 => return Ok(text),
                Event::End(_) => depth -= 1,
                _ => {}
            }
        }
    }

    /// The next event in the sheet; the file ending inside it is an error.
    fn next<'b>(
        &self,
        xml: &mut Reader<impl BufRead>,
        buf: &'b mut Vec<u8>,
    ) -> Result<Event<'b>, String> {
        buf.clear();
        match xml.read_event_into(buf) {
            Ok(Event::Eof) => Err(self.unreadable(&"the file ends inside the sheet")),
            Ok(event) => Ok(event),
            Err(e) => Err(self.unreadable(&e)),
        }
    }

    fn unreadable(&self, error: &dyn Display) -> String {
        cannot_read_sheet(self.name, self.file, error)
    }

    /// A count an attribute gives (1 if none); one past `u64` is `u64::MAX`,
    /// which no bound lets through.
    fn count(&self, element: &BytesStart, key: &str) -> Result<u64, String> {
        let value = attribute(element, key).map_err(|e| self.unreadable(&e))?;
        match value.as_deref().map(|v| v.trim().parse::<u64>()) {
            None => Ok(1),
            Some(Ok(n)) => Ok(n),
            Some(Err(e)) if *e.kind() == std::num::IntErrorKind::PosOverflow => Ok(u64::MAX),
            Some(Err(_)) => Err(self.unreadable(&format!("{key} is not a count"))),
        }
    }

    /// Refuses a grid that would take `cost` bytes, past the budget, once its
    /// `what` are written out.
    fn within(&self, cost: u64, what: &str) -> Result<(), String> {
        if cost <= MAX_IMPORT_INFLATED_BYTES {
            return Ok(());
        }
        Err(format!(
            "{} would take more than {} MB to read once its {what} are written out, the most \
             this tool reads for a registration export: delete the rows and columns beyond the \
             table, or save it as .xlsx",
            excerpt(self.from),
            MAX_IMPORT_INFLATED_BYTES >> 20
        ))
    }

    /// Adds `piece`, `times` over, to a cell's text. A cell's text is bounded
    /// by what is left of the grid's budget, so `<text:s text:c="4000000000"/>`
    /// is refused before it is written out.
    fn append(&self, text: &mut String, piece: &str, times: u64) -> Result<(), String> {
        let bytes = (piece.len() as u64).saturating_mul(times);
        let cost = self.cost.saturating_add(text.len() as u64);
        self.within(cost.saturating_add(bytes), "repeated spaces")?;
        text.extend(std::iter::repeat_n(piece, times as usize));
        Ok(())
    }

    /// A cell `repeat` times over, with the empty cells before it.
    fn add_cell(&mut self, row: &mut Row, value: String, repeat: u64) -> Result<(), String> {
        let start = row.next;
        row.next = start.saturating_add(repeat.max(1));
        if value.is_empty() {
            return Ok(());
        }
        row.last = Some(row.next - 1);
        self.too_far |= row.next > MAX_IMPORT_COLUMNS as u64;
        if self.too_far {
            return Ok(());
        }
        // Within the columns, so these are small.
        let (start, end) = (start as usize, row.next as usize);
        let bytes =
            (end - row.cells.len()) as u64 * CELL_BYTES + (end - start) as u64 * value.len() as u64;
        self.cost += bytes;
        self.within(self.cost, "repeated rows and columns")?;
        row.cost += bytes;
        row.cells.resize(start, String::new());
        row.cells.resize(end, value);
        Ok(())
    }

    /// A row `repeat` times over, with the empty rows before it.
    fn add_row(&mut self, row: Row, repeat: u64) -> Result<(), String> {
        let start = self.next_row;
        self.next_row = start.saturating_add(repeat.max(1));
        let Some(last_column) = row.last else {
            return Ok(());
        };
        self.last = (self.next_row - 1, self.last.1.max(last_column));
        self.too_far |= self.next_row > MAX_IMPORT_ROWS as u64;
        if self.too_far {
            self.grid = Vec::new();
            return Ok(());
        }
        // Within the rows, so these are small; the row's cells are counted
        // once already.
        let (start, end) = (start as usize, self.next_row as usize);
        let copies = (end - start - 1) as u64;
        self.cost += (end - self.grid.len()) as u64 * ROW_BYTES + copies * row.cost;
        self.within(self.cost, "repeated rows and columns")?;
        self.grid.resize(start, Vec::new());
        self.grid.resize(end, row.cells);
        Ok(())
    }
}

/// An attribute's value, entities resolved.
fn attribute(element: &BytesStart, key: &str) -> Result<Option<String>, quick_xml::Error> {
    match element.try_get_attribute(key)? {
        Some(a) => Ok(Some(
            a.normalized_value(XmlVersion::Implicit1_0)?.into_owned(),
        )),
        None => Ok(None),
    }
}

/// A cell's value as its type attributes give it, written as [`cell_text`]
/// writes what calamine read from them: a number as `42` or `0.5`, a date as
/// `2018-10-29` (its time dropped), a truth value as `true` or `false`.
/// `None` for text, a time, or no type: the cell's paragraphs hold it.
fn typed_value(cell: &BytesStart) -> Result<Option<String>, quick_xml::Error> {
    let value = match attribute(cell, "office:value-type")?.as_deref() {
        Some("float" | "percentage" | "currency") => attribute(cell, "office:value")?
            .and_then(|n| n.trim().parse().ok())
            .map(number),
        Some("date") => attribute(cell, "office:date-value")?
            .map(|date| date.split('T').next().unwrap_or_default().to_string()),
        Some("boolean") => attribute(cell, "office:boolean-value")?
            .map(|b| (b == "true" || b == "TRUE").to_string()),
        _ => None,
    };
    Ok(value)
}

/// What `&…;` in text stands for: a character reference, or one of XML's
/// five entities (an .ods declares no others).
fn reference(r: &BytesRef) -> Result<String, String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
        return Ok(c.to_string());
    }
    resolve_predefined_entity(r)
        .map(str::to_string)
        .ok_or_else(|| format!("an unknown entity &{};", excerpt(r)))
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
    fn the_count_of_texts_is_read_from_the_sst_tag_as_calamine_reads_it() {
        let count = |xml: &str| unique_count(xml.as_bytes());
        let xml = "<?xml version=\"1.0\"?><!-- uniqueCount=\"9\" --><sst count=\"9\" \
                   uniqueCount = '123'><si><t>uniqueCount=\"5\"</t></si></sst>";
        assert_eq!(count(xml).unwrap(), 123);
        // Leading zeros are read; a sign or other text is not a count.
        assert_eq!(count("<sst uniqueCount=\"00042\"/>").unwrap(), 42);
        assert_eq!(count("<sst uniqueCount=\"+5\"/>").unwrap(), 0);
        assert_eq!(count("<sst uniqueCount=\"5x\"/>").unwrap(), 0);
        let huge = "<x:sst uniqueCount=\"99999999999999999999999\"/>";
        assert_eq!(count(huge).unwrap(), u64::MAX);
        assert_eq!(count("<sst uniqueCount='3' uniqueCount='7'/>").unwrap(), 7);
        assert!(count("<sst a=unquoted uniqueCount=\"3\">").is_err());
    }

    /// The sheet `wanted` of an .ods `content.xml` holding `tables`.
    fn ods(tables: &str, wanted: Option<&str>) -> Result<(String, Grid), String> {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content><office:body>\
             <office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
        );
        ods_sheet(xml.as_bytes(), Path::new("x.ods"), "x.ods", wanted)
    }

    /// The one sheet of an .ods holding `rows`, read.
    fn ods_rows(rows: &str) -> Result<Grid, String> {
        ods(
            &format!("<table:table table:name=\"S\">{rows}</table:table>"),
            None,
        )
        .map(|s| s.1)
    }

    /// A string cell, repeated `repeat` times across.
    fn cell(text: &str, repeat: u64) -> String {
        format!(
            "<table:table-cell office:value-type=\"string\" \
             table:number-columns-repeated=\"{repeat}\"><text:p>{text}</text:p></table:table-cell>"
        )
    }

    #[test]
    fn ods_repeats_are_written_out_and_trailing_empties_are_not() {
        let empty_row = "<table:table-row table:number-rows-repeated=\"ROWS\">\
                         <table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>";
        let rows = format!(
            "<table:table-column table:number-columns-repeated=\"16384\"/><table:table-header-rows>\
             <table:table-row>{}<table:table-cell table:number-columns-repeated=\"2\"/>{}\
             <table:covered-table-cell table:number-columns-repeated=\"16381\"/></table:table-row>\
             </table:table-header-rows>{}<table:table-row><table:table-cell/>{}</table:table-row>{}",
            cell("a", 1),
            cell("b", 2),
            empty_row.replace("ROWS", "3"),
            cell("c", 1),
            empty_row.replace("ROWS", "1048570"),
        );
        let grid = ods_rows(&rows).unwrap();
        let expected: [&[&str]; 5] = [&["a", "", "", "b", "b"], &[], &[], &[], &["", "c"]];
        assert_eq!(grid, expected);
    }

    #[test]
    fn ods_cells_are_read_as_typed() {
        // A value type and its value, then the text a spreadsheet shows.
        let cells = [
            "float\" office:value=\"42\"><text:p>42.00",
            "percentage\" office:value=\"0.5\"><text:p>50%",
            "currency\" office:value=\"1234.5\"><text:p>฿1,234.50",
            "date\" office:date-value=\"2018-10-29T09:30:00\"><text:p>29/10/18",
            "date\" office:date-value=\"2018-11-01\"><text:p>1/11/18",
            "boolean\" office:boolean-value=\"true\"><text:p>TRUE",
            "time\" office:time-value=\"PT09H30M00S\"><text:p>09:30",
            "string\"><text:p>ສົມພອນ",
        ]
        .map(|c| format!("<table:table-cell office:value-type=\"{c}</text:p></table:table-cell>"));
        let row = format!("<table:table-row>{}</table:table-row>", cells.concat());
        let read = [
            "42",
            "0.5",
            "1234.5",
            "2018-10-29",
            "2018-11-01",
            "true",
            "09:30",
            "ສົມພອນ",
        ];
        assert_eq!(ods_rows(&row).unwrap(), [read]);
    }

    #[test]
    fn ods_text_is_read_with_its_spaces_tabs_and_breaks() {
        let text = "a<text:s/>b<text:s text:c=\"3\"/>c<text:tab/>d<text:line-break/>e</text:p>\
                    <office:annotation><text:p>a comment</text:p></office:annotation>\
                    <text:p><text:span>Dr</text:span> &amp; &#x0E01;&#3713;</text:p><text:p>";
        let row = format!("<table:table-row>{}</table:table-row>", cell(text, 1));
        assert_eq!(ods_rows(&row).unwrap(), [["a b   c\td\ne\nDr & กກ\n"]]);
    }

    #[test]
    fn an_ods_sheet_is_picked_by_name_or_first() {
        let tables = format!(
            "<table:table table:name=\"About\"><table:table-row>{}</table:table-row></table:table>\
             <table:table table:name=\"A &amp; B\"><table:table-row>{}</table:table-row></table:table>",
            cell("cover", 1),
            cell("list", 1)
        );
        let sheet = |wanted| ods(&tables, wanted).map(|(name, grid)| (name, grid[0][0].clone()));
        assert_eq!(sheet(None).unwrap(), ("About".into(), "cover".into()));
        assert_eq!(
            sheet(Some("A & B")).unwrap(),
            ("A & B".into(), "list".into())
        );
        let message = sheet(Some("People")).unwrap_err();
        assert!(
            message.ends_with("no sheet \"People\"; its sheets are About, A & B"),
            "{message}"
        );
        assert!(ods("", None).unwrap_err().ends_with("has no sheets"));
        let message = ods_rows("<table:table-row>").unwrap_err();
        assert!(
            message.starts_with("cannot read sheet \"S\" of x.ods"),
            "{message}"
        );
    }

    #[test]
    fn an_ods_past_the_bounds_is_refused_before_it_is_written_out() {
        let x = cell("x", 1);
        let message = ods_rows(&format!(
            "<table:table-row>{x}</table:table-row><table:table-row table:number-rows-repeated=\"100000\"/>\
             <table:table-row><table:table-cell table:number-columns-repeated=\"2\"/>{x}</table:table-row>"
        ))
        .unwrap_err();
        assert!(
            message.starts_with("x.ods uses cells up to C100002 (sheet \"S\")"),
            "{message}"
        );
        // A value repeated a billion times across, or down.
        for rows in [
            format!(
                "<table:table-row>{}</table:table-row>",
                cell("x", 1_000_000_000)
            ),
            format!(
                "<table:table-row table:number-rows-repeated=\"99999999999999999999\">{x}</table:table-row>"
            ),
        ] {
            let message = ods_rows(&rows).unwrap_err();
            assert!(message.starts_with("x.ods uses cells up to "), "{message}");
        }
        // Within the rows and columns, but too much once written out.
        for rows in [
            format!(
                "<table:table-row table:number-rows-repeated=\"20000\">{}</table:table-row>",
                cell(&"x".repeat(1000), 200)
            ),
            format!(
                "<table:table-row>{}</table:table-row>",
                cell("a<text:s text:c=\"4000000000\"/>b", 1)
            ),
        ] {
            let message = ods_rows(&rows).unwrap_err();
            assert!(
                message.starts_with("x.ods would take more than 128 MB"),
                "{message}"
            );
        }
    }

    #[test]
    fn an_encrypted_ods_is_told_by_its_manifest() {
        for (entry, expected) in [("<manifest:encryption-data/>", true), ("", false)] {
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("META-INF/manifest.xml", options).unwrap();
            let manifest = format!(
                "<manifest:manifest><manifest:file-entry manifest:full-path=\"content.xml\">\
                 {entry}</manifest:file-entry></manifest:manifest>"
            );
            std::io::Write::write_all(&mut zip, manifest.as_bytes()).unwrap();
            let mut zip = zip::ZipArchive::new(zip.finish().unwrap()).unwrap();
            assert_eq!(encrypted(&mut zip), Ok(expected));
        }
    }

    #[test]
    fn shift_jis_is_told_apart_from_other_encodings() {
        // 国立 in Shift_JIS.
        assert!(looks_like_shift_jis(b"id,name\n1,\x8d\x91\x97\xa7\n"));
        // é in Latin-1 is not.
        assert!(!looks_like_shift_jis(b"id,name\n1,Jos\xe9\n"));
    }
}
