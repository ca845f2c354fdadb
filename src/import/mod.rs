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

mod columns;
pub mod countries;
mod csv;
mod export;
mod ods;
mod xlsx;

use self::csv::*;
use columns::*;
use export::*;
use ods::*;
use xlsx::*;

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
    /// The id made for the row, when the export has no id column.
    pub made_id: Option<String>,
}

impl Origin {
    /// The cell of `field` in the row (the row itself without a field).
    pub fn place(&self, field: Option<&str>) -> Cell {
        Cell {
            sheet: self.sheet.clone(),
            row: self.row,
            column: field.and_then(|f| self.columns.get(f)).cloned(),
        }
    }
}

/// Where in a spreadsheet or CSV file a problem is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cell {
    /// None for a CSV file.
    pub sheet: Option<String>,
    /// 1-based.
    pub row: usize,
    /// The column's letter, when the problem is in one cell.
    pub column: Option<String>,
}

/// `sheet "Participants", row 5, column C` (no sheet for CSV).
impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if let Some(sheet) = &self.sheet {
            write!(f, "sheet \"{}\", ", excerpt(sheet))?;
        }
        write!(f, "row {}", self.row)?;
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        Ok(())
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
        "csv" => {
            let encoding = encoding(import.encoding.as_deref()).map_err(at)?;
            (None, csv_grid(&file, &import.from, encoding).map_err(at)?)
        }
        "xlsx" | "xlsm" | "ods" => {
            if import.encoding.is_some() {
                return Err(at(format!(
                    "`encoding:` is for CSV files; {} is a workbook, which says its own \
                     encoding: remove `encoding:`",
                    excerpt(&import.from)
                )));
            }
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
        made_id: None,
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
                .hint(column_hint(
                    title,
                    field,
                    renames.contains_key(title),
                    fields,
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
    // Without an id column, each row's id is made from its country and its
    // place among that country's rows (`TH-02`), or for staff its place in
    // the list (`S-03`): the same ids as long as rows are only added below.
    let make_ids = fields.contains(&"id") && !mapped.iter().any(|f| f.as_deref() == Some("id"));
    let mut made: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut origins = Vec::new();
    for (r, cells) in body.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut o = origin(r + 2);
        o.columns = columns.clone();
        let cell = |field: &str| {
            mapped
                .iter()
                .position(|f| f.as_deref() == Some(field))
                .and_then(|c| cells.get(c))
                .map(|text| text.trim())
                .filter(|text| !text.is_empty())
        };
        let country = cell("country").map(countries::resolve);
        if make_ids {
            let prefix = match (&country, fields.contains(&"country")) {
                (_, false) => Some("S"),
                (Some(countries::Resolved::Code(code)), true) => Some(*code),
                (Some(countries::Resolved::Unlisted(code)), true) => Some(code.as_str()),
                _ => None,
            };
            match prefix {
                Some(prefix) => {
                    let n = made.entry(prefix.to_string()).or_default();
                    *n += 1;
                    o.made_id = Some(format!("{prefix}-{n:02}"));
                }
                // An unknown country is reported below.
                None if country.is_none() => diags.push(
                    Diagnostic::new(
                        &file,
                        (0, 0),
                        "the row has no country, and without an id column each id is made \
                         from the country (`TH-01`)",
                    )
                    .entry(format!("{list}[{}] (?)", rows.len()))
                    .place(o.place(Some("country"))),
                ),
                None => {}
            }
        }
        let id = o.made_id.as_deref().or_else(|| cell("id")).unwrap_or("?");
        let entry = format!("{list}[{}] ({})", rows.len(), excerpt(id));
        let mut row = Mapping::new();
        if let Some(id) = &o.made_id {
            row.insert(Value::String("id".into()), Value::String(id.clone()));
        }
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
            } else if field == "country" {
                match countries::resolve(text) {
                    countries::Resolved::Code(code) => Value::String(code.to_string()),
                    countries::Resolved::Unlisted(code) => Value::String(code),
                    countries::Resolved::Unknown(nearest) => {
                        diags.push(countries::unknown_country(&file, &entry, &o, text, nearest));
                        Value::String(text.to_string())
                    }
                }
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

#[cfg(test)]
mod tests;
