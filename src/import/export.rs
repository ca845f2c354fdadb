//! Opening an export: read within its bound, its format told by its content,
//! its zip parts measured as they inflate, and the sheet picked.

use super::*;

/// The bytes of an export, refused past [`MAX_IMPORT_BYTES`] before reading.
/// Spreadsheets are parsed from these bytes, so what was measured is what is
/// read.
pub(super) fn read_export(file: &Path, from: &str) -> Result<Vec<u8>, String> {
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
pub(super) const COMPOUND_FILE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// The cells of a spreadsheet's sheet (the first unless named), as text.
pub(super) fn sheet_grid(
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

pub(super) fn cannot_read(file: &Path, error: &dyn Display) -> String {
    format!(
        "cannot read {}: {}",
        excerpt(&file.display().to_string()),
        excerpt(&error.to_string())
    )
}

pub(super) fn cannot_read_sheet(name: &str, file: &Path, error: &dyn Display) -> String {
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
pub(super) fn measure(bytes: &[u8], file: &Path, from: &str, ods: bool) -> Result<(), String> {
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

/// The message for a sheet whose used area ends at 0-based `row`, `column`.
pub(super) fn too_far(from: &str, sheet: &str, row: u64, column: u64) -> String {
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
pub(super) fn pick_sheet(
    file: &Path,
    names: &[String],
    sheet: Option<&str>,
) -> Result<String, String> {
    match (sheet, names.first()) {
        (Some(sheet), _) if names.iter().any(|n| n == sheet) => Ok(sheet.to_string()),
        (None, Some(first)) => Ok(first.clone()),
        _ => Err(missing_sheet(file, names, sheet)),
    }
}

/// The message for a sheet not found among `names`.
pub(super) fn missing_sheet(file: &Path, names: &[String], sheet: Option<&str>) -> String {
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
