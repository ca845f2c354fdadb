//! Reading registration exports: headers, cells, bounds and encodings.

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

#[test]
fn a_csv_with_a_byte_order_mark_and_crlf_reads_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.csv");
    std::fs::write(
        &file,
        "\u{FEFF}Full name,Country\r\n\"Chaiyaphum, Siriporn\",THAILAND\r\n\"Two\r\nlines\",laos\r\n",
    )
    .unwrap();
    let grid = csv_grid(&file, "x.csv", Encoding::Utf8).unwrap();
    assert_eq!(
        grid,
        [
            ["Full name", "Country"],
            ["Chaiyaphum, Siriporn", "THAILAND"],
            ["Two\r\nlines", "laos"]
        ]
    );
}

#[test]
fn shift_jis_is_read_only_when_declared() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.csv");
    // 佐藤 in Shift_JIS.
    std::fs::write(&file, b"Name\r\n\x8d\xb2\x93\xa1\r\n").unwrap();
    let refused = csv_grid(&file, "x.csv", Encoding::Utf8).unwrap_err();
    assert!(refused.contains("add `encoding: shift_jis`"), "{refused}");
    let grid = csv_grid(&file, "x.csv", Encoding::ShiftJis).unwrap();
    assert_eq!(grid, [["Name"], ["佐藤"]]);
    // A lone lead byte is not Shift_JIS.
    std::fs::write(&file, b"Name\r\nok\r\n\x8d\r\n").unwrap();
    let refused = csv_grid(&file, "x.csv", Encoding::ShiftJis).unwrap_err();
    assert!(
        refused.contains("is not Shift_JIS text (line 3)"),
        "{refused}"
    );
    assert_eq!(encoding(Some("Shift-JIS")), Ok(Encoding::ShiftJis));
    assert_eq!(encoding(None), Ok(Encoding::Utf8));
    assert!(encoding(Some("cp1252")).is_err());
}
