//! Participant lists from registration exports: the reference participants as
//! `.xlsx`, `.ods` and `.csv`, read back through `from:`, give the same
//! documents as the inline list; a bad cell is located by sheet, row and
//! column; a CSV saved as Shift_JIS is refused with advice; an export past the
//! bounds of `src/limits.rs` (a stray cell at XFD1048576, a zip bomb, repeated
//! .ods cells) is refused quickly, under a memory cap, with a plain message.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// Column headers as a registration form might title them, and their fields.
const COLUMNS: &[(&str, &str)] = &[
    ("ID", "id"),
    ("Honorific", "honorific"),
    ("Name", "name"),
    ("Native name", "native_name"),
    ("Country", "country"),
    ("Organisation", "organisation"),
    ("Position", "position"),
    ("E-mail", "email"),
    ("Absent", "absent"),
];

/// The reference participants, one row of cells per person.
fn reference_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(reference().join("programme.yaml")).unwrap();
    let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    value["participants"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| {
            COLUMNS
                .iter()
                .map(|(_, field)| match &p[*field] {
                    serde_yaml::Value::String(s) => s.clone(),
                    serde_yaml::Value::Sequence(dates) => dates
                        .iter()
                        .map(|d| d.as_str().unwrap().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    serde_yaml::Value::Null => String::new(),
                    other => panic!("unexpected {other:?}"),
                })
                .collect()
        })
        .collect()
}

/// The reference programme with its participants read from `file` instead.
fn fixture_importing(file: &str, extra: &str) -> tempfile::TempDir {
    fixture(|y| {
        let start = y.find("\nparticipants:\n").unwrap();
        let end = y.find("\nstaff:\n").unwrap();
        format!(
            "{}\nparticipants:\n  from: {file}\n{extra}{}",
            &y[..start],
            &y[end..]
        )
    })
}

fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let mut csv = csv::Writer::from_path(path).unwrap();
    csv.write_record(COLUMNS.iter().map(|(title, _)| *title))
        .unwrap();
    for row in rows {
        csv.write_record(row).unwrap();
    }
    csv.flush().unwrap();
}

fn write_xlsx(path: &Path, rows: &[Vec<String>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    // The participants on the second sheet, as exports often have a cover sheet.
    book.add_worksheet().set_name("About").unwrap();
    let sheet = book.add_worksheet().set_name("Participants").unwrap();
    for (c, (title, _)) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *title).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet
                    .write_string(r as u32 + 1, c as u16, cell.as_str())
                    .unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn imported_participants_give_the_same_documents_as_the_inline_list() {
    let rows = reference_rows();
    assert_eq!(rows.len(), 13);
    let inline = std::fs::read(build(
        &reference().join("programme.yaml"),
        &tempfile::tempdir().unwrap().path().join("out"),
    ))
    .unwrap();

    let csv = fixture_importing("registrations.csv", "");
    write_csv(&csv.path().join("registrations.csv"), &rows);
    let from_csv = build(&csv.path().join("programme.yaml"), &csv.path().join("out"));
    assert!(
        std::fs::read(from_csv).unwrap() == inline,
        "CSV import differs"
    );

    let xlsx = fixture_importing("registrations.xlsx", "  sheet: Participants\n");
    write_xlsx(&xlsx.path().join("registrations.xlsx"), &rows);
    let from_xlsx = build(
        &xlsx.path().join("programme.yaml"),
        &xlsx.path().join("out"),
    );
    assert!(
        std::fs::read(from_xlsx).unwrap() == inline,
        "xlsx import differs"
    );
}

#[test]
fn a_bad_cell_is_located_by_sheet_row_and_column() {
    let mut rows = reference_rows();
    // The third participant (row 4: the header is row 1) missed an impossible day.
    rows[2][8] = "2018-11-31".into();
    let dir = fixture_importing("registrations.xlsx", "  sheet: Participants\n");
    write_xlsx(&dir.path().join("registrations.xlsx"), &rows);
    let (code, stderr) = run_build(&dir.path().join("programme.yaml"), &dir.path().join("out"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("registrations.xlsx, sheet \"Participants\", row 4, column I"),
        "{stderr}"
    );
    assert!(stderr.contains("2018-11-31"), "{stderr}");
    // As JSON, the cell is structured and the line, which a sheet has not,
    // is null.
    let (code, stdout, _, _) = check_capped(&dir.path().join("programme.yaml"), true);
    assert_eq!(code, Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let problem = &report["problems"][0];
    assert!(
        problem["file"]
            .as_str()
            .unwrap()
            .ends_with("registrations.xlsx"),
        "{stdout}"
    );
    assert_eq!(problem["line"], serde_json::Value::Null, "{stdout}");
    assert_eq!(
        problem["place"],
        serde_json::json!({"sheet": "Participants", "row": 4, "column": "I"}),
        "{stdout}"
    );

    // A value the programme refuses (an unknown country) points at its cell too.
    let mut rows = reference_rows();
    rows[4][4] = "XX".into();
    let dir = fixture_importing("registrations.csv", "");
    write_csv(&dir.path().join("registrations.csv"), &rows);
    let (code, stderr) = run_build(&dir.path().join("programme.yaml"), &dir.path().join("out"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("registrations.csv, row 6, column E"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_column_is_refused_unless_renamed_or_ignored() {
    let rows = reference_rows();
    let dir = fixture_importing(
        "registrations.csv",
        "  columns:\n    Natve name: native_name\n    Timestamp: ~\n",
    );
    let path = dir.path().join("registrations.csv");
    let mut csv = csv::Writer::from_path(&path).unwrap();
    let mut header: Vec<&str> = COLUMNS.iter().map(|(t, _)| *t).collect();
    header[3] = "Natve name";
    header.push("Timestamp");
    csv.write_record(&header).unwrap();
    for row in &rows {
        let mut row = row.clone();
        row.push("2018-09-01 10:00".into());
        csv.write_record(&row).unwrap();
    }
    csv.flush().unwrap();
    build(&dir.path().join("programme.yaml"), &dir.path().join("out"));

    // Without the table, the misspelt column is an error naming it.
    let text = std::fs::read_to_string(dir.path().join("programme.yaml")).unwrap();
    let text = replace_once(
        &text,
        "  columns:\n    Natve name: native_name\n    Timestamp: ~\n",
        "",
    );
    std::fs::write(dir.path().join("programme.yaml"), text).unwrap();
    let (code, stderr) = run_build(&dir.path().join("programme.yaml"), &dir.path().join("out"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("`Natve name`"), "{stderr}");
    assert!(stderr.contains("`Timestamp`"), "{stderr}");
}

#[test]
fn a_shift_jis_csv_is_refused_with_advice() {
    let dir = fixture_importing("registrations.csv", "");
    // 佐藤 in Shift_JIS, as Excel in Japan saves "CSV".
    std::fs::write(
        dir.path().join("registrations.csv"),
        b"ID,Name,Country,Organisation\nJP-01,\x8d\xb2\x93\xa1,TH,X\n",
    )
    .unwrap();
    let (code, stderr) = run_build(&dir.path().join("programme.yaml"), &dir.path().join("out"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("Shift_JIS"), "{stderr}");
    assert!(stderr.contains("CSV UTF-8"), "{stderr}");
}

/// Runs `secretariat check` (with `--format json` if `json`) under a 4 GB cap
/// on address space, so that a file asking for more memory fails the test
/// instead of hurting the machine. Returns the exit code, standard output and
/// error, and the time taken.
fn check_capped(programme: &Path, json: bool) -> (Option<i32>, String, String, Duration) {
    let started = Instant::now();
    let mut command = Command::new("sh");
    command
        .args(["-c", "ulimit -v 4000000; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_secretariat"))
        .arg("check")
        .arg(programme)
        .env_remove("SOURCE_DATE_EPOCH");
    if json {
        command.args(["--format", "json"]);
    }
    let output = command.output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        started.elapsed(),
    )
}

/// Checks a programme whose export must be refused, quickly and with `message`,
/// under the memory cap; then checks it again with `--format json`, which must
/// print the problem as JSON.
fn assert_refused(programme: &Path, message: &str) {
    let (code, _, stderr, took) = check_capped(programme, false);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(message), "{stderr}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
    eprintln!("refused in {took:?}");

    let (code, stdout, stderr, _) = check_capped(programme, true);
    assert_eq!(code, Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}):\n{stdout}\n{stderr}");
    });
    assert_eq!(report["ok"], false, "{stdout}");
    let problems = report["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["message"].as_str().unwrap().contains(message)),
        "{stdout}"
    );
}

/// A copy of the .xlsx at `path` with `part` written by `write` instead.
fn replace_part(path: &Path, part: &str, write: impl FnOnce(&mut dyn Write)) {
    let original = unzip(path);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut write = Some(write);
    for (name, bytes) in original {
        zip.start_file(name.as_str(), options).unwrap();
        if name == part {
            (write.take().unwrap())(&mut zip);
        } else {
            zip.write_all(&bytes).unwrap();
        }
    }
    assert!(write.is_none(), "no part {part}");
    zip.finish().unwrap();
}

#[test]
fn a_stray_cell_far_from_the_table_is_refused_before_the_sheet_is_read() {
    // One cell at A1 and one at the last cell Excel has: calamine's dense
    // range over them would take 512 GB.
    let dir = fixture_importing("registrations.xlsx", "");
    let path = dir.path().join("registrations.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("Participants").unwrap();
    sheet.write_string(0, 0, "ID").unwrap();
    sheet.write_string(1_048_575, 16_383, "stray").unwrap();
    book.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 16 << 10);
    assert_refused(
        &dir.path().join("programme.yaml"),
        "registrations.xlsx uses cells up to XFD1048576 (sheet \"Participants\"); a \
         registration sheet may span at most 30,000 rows and 200 columns",
    );
}

#[test]
fn shared_strings_that_inflate_past_the_bound_are_refused_as_they_inflate() {
    // The reference list, with its table of texts replaced by one text of
    // 200 MB: a few hundred KB compressed.
    let dir = fixture_importing("registrations.xlsx", "  sheet: Participants\n");
    let path = dir.path().join("registrations.xlsx");
    write_xlsx(&path, &reference_rows());
    replace_part(&path, "xl/sharedStrings.xml", |out| {
        out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>")
            .unwrap();
        let block = vec![b'A'; 1 << 20];
        for _ in 0..200 {
            out.write_all(&block).unwrap();
        }
        out.write_all(b"</t></si></sst>").unwrap();
    });
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 1 << 20, "{size} bytes");
    assert_refused(
        &dir.path().join("programme.yaml"),
        "registrations.xlsx holds more than 128 MB once decompressed",
    );
}

#[test]
fn a_count_of_texts_the_file_declares_is_not_trusted() {
    // calamine reserves room for `uniqueCount` strings before reading one.
    let dir = fixture_importing("registrations.xlsx", "  sheet: Participants\n");
    let path = dir.path().join("registrations.xlsx");
    write_xlsx(&path, &reference_rows());
    let strings = unzip(&path)
        .into_iter()
        .find(|(name, _)| name == "xl/sharedStrings.xml")
        .unwrap()
        .1;
    let strings = String::from_utf8(strings).unwrap();
    let declared = strings.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
    let end = declared + strings[declared..].find('"').unwrap();
    let forged = format!("{}1000000000000{}", &strings[..declared], &strings[end..]);
    replace_part(&path, "xl/sharedStrings.xml", |out| {
        out.write_all(forged.as_bytes()).unwrap();
    });
    assert_refused(
        &dir.path().join("programme.yaml"),
        "registrations.xlsx says it holds 1,000,000,000,000 different texts",
    );
}

#[test]
fn a_csv_past_the_row_or_column_bound_is_refused() {
    let dir = fixture_importing("registrations.csv", "");
    let path = dir.path().join("registrations.csv");
    let mut text = String::from("ID,Name\n");
    for i in 0..30_000 {
        text.push_str(&format!("P-{i},Someone\n"));
    }
    std::fs::write(&path, text).unwrap();
    assert_refused(
        &dir.path().join("programme.yaml"),
        "registrations.csv has more than 30,000 rows; a registration export may have at most \
         30,000 (the header included)",
    );

    let header: Vec<String> = (0..201).map(|c| format!("Column {c}")).collect();
    std::fs::write(&path, header.join(",") + "\n").unwrap();
    assert_refused(
        &dir.path().join("programme.yaml"),
        "registrations.csv has 201 columns in row 1; a registration export may have at most 200",
    );
}

#[test]
fn xls_and_xlsb_are_refused_with_advice() {
    for extension in ["xls", "xlsb"] {
        let name = format!("registrations.{extension}");
        let dir = fixture_importing(&name, "");
        std::fs::write(dir.path().join(&name), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").unwrap();
        let (code, _, stderr, _) = check_capped(&dir.path().join("programme.yaml"), false);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains(&format!("{name} is an Excel")), "{stderr}");
        assert!(stderr.contains("save it as .xlsx"), "{stderr}");
    }
}

/// Writes an .ods by hand: `sheets` are (name, rows of `<table:table-cell>`
/// XML), each row also given as XML so that tests can repeat rows and cells.
fn write_ods(path: &Path, sheets: &[(&str, Vec<String>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    for (name, rows) in sheets {
        content.push_str(&format!(
            "<table:table table:name=\"{name}\"><table:table-column table:number-columns-repeated=\"1024\"/>"
        ));
        for row in rows {
            content.push_str(row);
        }
        content.push_str("</table:table>");
    }
    content.push_str("</office:spreadsheet></office:body></office:document-content>");
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// A row of string cells as LibreOffice writes it, up to its last used
/// column and then one run of empty (formatted) cells to column AMJ.
fn ods_row(cells: &[String]) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut row = String::from("<table:table-row table:style-name=\"ro1\">");
    for cell in cells {
        if cell.is_empty() {
            row.push_str("<table:table-cell/>");
        } else {
            row.push_str(&format!(
                "<table:table-cell office:value-type=\"string\" calcext:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                escape(cell)
            ));
        }
    }
    row.push_str(&format!(
        "<table:table-cell table:style-name=\"ce1\" table:number-columns-repeated=\"{}\"/></table:table-row>",
        1024 - cells.len()
    ));
    row
}

/// The header and the reference participants as .ods rows, followed by the
/// million formatted empty rows LibreOffice often writes.
fn ods_reference_rows() -> Vec<String> {
    let header: Vec<String> = COLUMNS.iter().map(|(t, _)| t.to_string()).collect();
    let mut rows = vec![ods_row(&header)];
    rows.extend(reference_rows().iter().map(|r| ods_row(r)));
    rows.push(
        "<table:table-row table:style-name=\"ro1\" table:number-rows-repeated=\"1048562\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>".into(),
    );
    rows
}

#[test]
fn an_ods_export_is_read_within_its_bounds() {
    let dir = fixture_importing("registrations.ods", "  sheet: Participants\n");
    let path = dir.path().join("registrations.ods");
    let cover = vec![ods_row(&["Registrations, exported".to_string()])];
    write_ods(
        &path,
        &[("About", cover), ("Participants", ods_reference_rows())],
    );
    let (code, _, stderr, took) = check_capped(&dir.path().join("programme.yaml"), false);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("13 participants"), "{stderr}");
    eprintln!("read in {took:?}");
}

#[test]
fn an_ods_export_gives_the_same_documents_as_the_inline_list() {
    // Thai, Lao, Khmer, Myanmar and Japanese names in the cells, behind a
    // cover sheet and before LibreOffice's million empty rows.
    let inline = std::fs::read(build(
        &reference().join("programme.yaml"),
        &tempfile::tempdir().unwrap().path().join("out"),
    ))
    .unwrap();
    let dir = fixture_importing("registrations.ods", "  sheet: Participants\n");
    let cover = vec![ods_row(&["Registrations, exported".to_string()])];
    write_ods(
        &dir.path().join("registrations.ods"),
        &[("About", cover), ("Participants", ods_reference_rows())],
    );
    let from_ods = build(&dir.path().join("programme.yaml"), &dir.path().join("out"));
    assert!(
        std::fs::read(from_ods).unwrap() == inline,
        "ods import differs"
    );
}

#[test]
fn an_ods_repeating_a_cell_a_billion_times_is_refused() {
    let dir = fixture_importing("registrations.ods", "  sheet: Participants\n");
    let path = dir.path().join("registrations.ods");
    let mut rows = ods_reference_rows();
    rows.insert(
        3,
        "<table:table-row><table:table-cell table:number-columns-repeated=\"1000000000\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>".into(),
    );
    write_ods(&path, &[("Participants", rows)]);
    assert_refused(
        &dir.path().join("programme.yaml"),
        "registrations.ods uses cells up to ",
    );
    let (_, _, stderr, _) = check_capped(&dir.path().join("programme.yaml"), false);
    assert!(
        stderr.contains("(sheet \"Participants\"); a registration sheet may span at most 30,000 rows and 200 columns"),
        "{stderr}"
    );

    // Within the rows and columns, but 5 million cells of 100 characters
    // once the repeated row is written out.
    let mut rows = ods_reference_rows();
    let wide: Vec<String> = (0..200)
        .map(|c| format!("value {c} {}", "x".repeat(100)))
        .collect();
    rows.insert(
        14,
        ods_row(&wide).replace(
            "<table:table-row table:style-name=\"ro1\">",
            "<table:table-row table:number-rows-repeated=\"25000\">",
        ),
    );
    write_ods(&path, &[("Participants", rows)]);
    assert_refused(
        &dir.path().join("programme.yaml"),
        "registrations.ods would take more than 128 MB to read once its repeated rows and \
         columns are written out",
    );

    // `<text:s text:c="…"/>` asks for that many spaces.
    let mut rows = ods_reference_rows();
    rows.insert(
        3,
        "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>a<text:s text:c=\"4000000000\"/>b</text:p></table:table-cell></table:table-row>".into(),
    );
    write_ods(&path, &[("Participants", rows)]);
    assert_refused(
        &dir.path().join("programme.yaml"),
        "registrations.ods would take more than 128 MB",
    );
}

/// The `columns:` a Google Forms export needs, and nothing else: the export
/// (`tests/forms/registrations.csv`) is the reference participants as a form
/// collects them, with a Timestamp column, long headers, countries as names in
/// any case, no ids, a byte-order mark and CRLF line ends.
const FORMS_COLUMNS: &str = "  columns:
    Timestamp: ~
    Email Address: email
    Title: honorific
    Full name (as in passport): name
    Name in your own script: native_name
    Organization: organisation
    Days you will miss: absent
";

fn forms_export() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/forms/registrations.csv");
    let bytes = std::fs::read(path).unwrap();
    // As Forms writes it: so the test reads what it says it reads.
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    bytes
}

/// The Forms export as an .xlsx, as Forms' "Download (.xlsx)" gives it: the
/// timestamps are dates, every other cell text.
fn write_forms_xlsx(path: &Path) {
    let bytes = forms_export();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("Form Responses 1").unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy/mm/dd hh:mm:ss");
    for (r, record) in reader.records().enumerate() {
        let record = record.unwrap();
        for (c, cell) in record.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r > 0 && c == 0 {
                let stamp = rust_xlsxwriter::ExcelDateTime::from_ymd(2018, 9, 3).unwrap();
                sheet
                    .write_datetime_with_format(r, c, &stamp, &format)
                    .unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

/// `secretariat check` with `args`: exit code and standard error.
fn check(programme: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["check", programme.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = secretariat(&all);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_forms_export_loads_as_it_comes_and_makes_the_ids() {
    let inline = std::fs::read(build(
        &reference().join("programme.yaml"),
        &tempfile::tempdir().unwrap().path().join("out"),
    ))
    .unwrap();

    let csv = fixture_importing("registrations.csv", FORMS_COLUMNS);
    std::fs::write(csv.path().join("registrations.csv"), forms_export()).unwrap();
    let xlsx = fixture_importing("registrations.xlsx", FORMS_COLUMNS);
    write_forms_xlsx(&xlsx.path().join("registrations.xlsx"));

    for (dir, file, place) in [
        (&csv, "registrations.csv", ""),
        (&xlsx, "registrations.xlsx", "sheet \"Form Responses 1\", "),
    ] {
        let programme = dir.path().join("programme.yaml");
        let (code, stderr) = check(&programme, &["--verbose"]);
        assert_eq!(code, Some(0), "{stderr}");
        // Ids by country, in the order of the rows: the reference's own.
        for line in [
            format!("made id TH-01 for {file}, {place}row 2 (Siriporn Chaiyaphum)"),
            format!("made id TH-02 for {file}, {place}row 3 (Anucha Srisawat)"),
            format!("made id MM-02 for {file}, {place}row 5 (Zaw Min Htet)"),
            format!("made id LA-02 for {file}, {place}row 9 "),
            format!("made id ID-01 for {file}, {place}row 14 "),
        ] {
            assert!(stderr.contains(&line), "{line} not in\n{stderr}");
        }
        assert_eq!(stderr.matches("made id ").count(), 13, "{stderr}");
        // Without --verbose, no list.
        let (code, stderr) = check(&programme, &[]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(!stderr.contains("made id"), "{stderr}");

        // The same participants, ids and countries: the same zip, byte for byte.
        let zip = build(&programme, &dir.path().join("out"));
        assert!(
            std::fs::read(zip).unwrap() == inline,
            "{file}: the documents differ from the inline list's"
        );
    }
}

#[test]
fn an_unknown_column_gets_the_field_it_looks_like_or_tilde() {
    let dir = fixture_importing("registrations.csv", "");
    std::fs::write(dir.path().join("registrations.csv"), forms_export()).unwrap();
    let (code, stderr) = check(&dir.path().join("programme.yaml"), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    for hint in [
        "`Full name (as in passport): name`",
        "`Name in your own script: native_name`",
        "`Email Address: email`",
        "`Organization: organisation`",
        "`Days you will miss: absent`",
        "`Timestamp: ~`",
        "`Title: ~`",
    ] {
        assert!(stderr.contains(hint), "{hint} not in\n{stderr}");
    }
    assert!(!stderr.contains("`Timestamp: name`"), "{stderr}");
    assert!(!stderr.contains("`Title: name`"), "{stderr}");
}

#[test]
fn a_country_name_with_a_slip_is_refused_with_the_nearest() {
    let text = String::from_utf8(forms_export()).unwrap();
    let text = replace_once(&text, ",burma,", ",Myanmer,");
    let dir = fixture_importing("registrations.csv", FORMS_COLUMNS);
    std::fs::write(dir.path().join("registrations.csv"), text).unwrap();
    let (code, stderr) = check(&dir.path().join("programme.yaml"), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("`Myanmer` is not a country"), "{stderr}");
    assert!(stderr.contains("did you mean Myanmar (MM)?"), "{stderr}");
    assert!(
        stderr.contains("registrations.csv, row 5, column F"),
        "{stderr}"
    );

    // Without an id column, a row without a country has no id to be given.
    let text = String::from_utf8(forms_export()).unwrap();
    let text = replace_once(&text, ",burma,", ",,");
    std::fs::write(dir.path().join("registrations.csv"), text).unwrap();
    let (code, stderr) = check(&dir.path().join("programme.yaml"), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("the row has no country, and without an id column"),
        "{stderr}"
    );
}

#[test]
fn a_shift_jis_csv_is_read_when_its_import_says_so() {
    let dir = fixture_importing("registrations.csv", "");
    let programme = dir.path().join("programme.yaml");
    let (sjis, _, malformed) = encoding_rs::SHIFT_JIS.encode(
        "ID,Name,Native name,Country,Organisation\r\nJP-01,Sato Hanako,佐藤 花子,Japan,外務省\r\n",
    );
    assert!(!malformed);
    std::fs::write(dir.path().join("registrations.csv"), &sjis).unwrap();
    let (code, stderr) = check(&programme, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("`encoding: shift_jis`"), "{stderr}");

    let text = std::fs::read_to_string(&programme).unwrap();
    let with_encoding = replace_once(
        &text,
        "  from: registrations.csv\n",
        "  from: registrations.csv\n  encoding: shift_jis\n",
    );
    std::fs::write(&programme, &with_encoding).unwrap();
    let zip = build(&programme, &dir.path().join("out"));
    let files = unzip(&zip);
    let (_, register) = files
        .iter()
        .find(|(n, _)| n == "certificates/register.csv")
        .unwrap();
    let register = String::from_utf8(register.clone()).unwrap();
    assert!(register.contains("JP-01,Sato Hanako,Japan,"), "{register}");
    let (_, list) = files
        .iter()
        .find(|(n, _)| n == "participants/list.pdf")
        .unwrap();
    assert!(Pdf::parse(list).text().contains("佐藤 花子"));

    // Told, not guessed: a UTF-8 file under `encoding: shift_jis` is refused.
    std::fs::write(dir.path().join("registrations.csv"), forms_export()).unwrap();
    let (code, stderr) = check(&programme, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("so it is UTF-8, not Shift_JIS"), "{stderr}");

    // An encoding this tool does not read, and one on a workbook.
    let other = replace_once(&with_encoding, "shift_jis", "latin-1");
    std::fs::write(&programme, other).unwrap();
    let (code, stderr) = check(&programme, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("`encoding: latin-1` is not an encoding this tool reads"),
        "{stderr}"
    );
    let workbook = with_encoding.replace("registrations.csv", "registrations.xlsx");
    std::fs::write(&programme, workbook).unwrap();
    write_forms_xlsx(&dir.path().join("registrations.xlsx"));
    let (code, stderr) = check(&programme, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("`encoding:` is for CSV files"), "{stderr}");
}
