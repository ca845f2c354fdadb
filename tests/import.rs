//! Participant lists from registration exports: the reference participants as
//! `.xlsx` and as `.csv`, read back through `from:`, give the same documents as
//! the inline list; a bad cell is located by sheet, row and column; a CSV saved
//! as Shift_JIS is refused with advice.

mod common;

use std::path::Path;

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
