//! .ods exports, read here rather than by calamine: `content.xml` is streamed
//! with quick-xml, and a repeated row or cell is checked against the bounds
//! before it is written out.

use super::*;

/// The cells of an .ods sheet (the first unless named), read from its
/// `content.xml` ([`ods_sheet`]). Not by calamine: it builds every sheet whole
/// when it opens the file, writing out every repeated row and cell.
pub(super) fn ods_grid(
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
pub(super) fn encrypted<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Result<bool, String> {
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
pub(super) fn ods_sheet(
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
pub(super) const ROW_BYTES: u64 = size_of::<Vec<String>>() as u64;

pub(super) const CELL_BYTES: u64 = size_of::<String>() as u64;

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
pub(super) struct Sheet<'a> {
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
pub(super) struct Row {
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
pub(super) fn attribute(
    element: &BytesStart,
    key: &str,
) -> Result<Option<String>, quick_xml::Error> {
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
pub(super) fn typed_value(cell: &BytesStart) -> Result<Option<String>, quick_xml::Error> {
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
pub(super) fn reference(r: &BytesRef) -> Result<String, String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
        return Ok(c.to_string());
    }
    resolve_predefined_entity(r)
        .map(str::to_string)
        .ok_or_else(|| format!("an unknown entity &{};", excerpt(r)))
}
