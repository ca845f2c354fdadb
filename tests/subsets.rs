//! Building a subset: `--only KIND` and `--who ID`, in a zip named for what it holds.

mod common;

use common::{reference, secretariat, unzip};

fn names(zip: &std::path::Path) -> Vec<String> {
    unzip(zip).into_iter().map(|(n, _)| n).collect()
}

#[test]
fn only_certificates_after_the_closing_day() {
    let out = tempfile::tempdir().unwrap();
    let yaml = reference().join("programme.yaml");
    let output = secretariat(&[
        "build",
        yaml.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--only",
        "certificates",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let zip = out.path().join("kccp-2018-atip.certificates.zip");
    let files = names(&zip);
    assert_eq!(
        files
            .iter()
            .filter(|n| n.starts_with("certificates/") && n.ends_with(".pdf"))
            .count(),
        12
    );
    assert!(
        files.iter().all(|n| n.starts_with("certificates/")
            || n == "print/certificates.pdf"
            || n.starts_with("print/job-sheet.")
            || n == "manifest.csv"),
        "{files:?}"
    );
    assert!(
        !out.path().join("kccp-2018-atip.zip").exists(),
        "the full set's name is not used"
    );
}

#[test]
fn documents_for_one_person_and_one_organisation() {
    let out = tempfile::tempdir().unwrap();
    let yaml = reference().join("programme.yaml");
    let output = secretariat(&[
        "build",
        yaml.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--who",
        "TH-01",
        "--who",
        "iom",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let files = names(&out.path().join("kccp-2018-atip.TH-01+iom.zip"));
    for expected in [
        "invitations/TH-01.pdf",
        "requests/iom.pdf",
        "badges/TH-01.pdf",
        "certificates/TH-01.pdf",
        "thank-you/iom.pdf",
        "print/badges.pdf",
        "manifest.csv",
    ] {
        assert!(
            files.contains(&expected.to_string()),
            "{expected} missing: {files:?}"
        );
    }
    assert!(
        !files.iter().any(|n| n.contains("TH-02")
            || n.starts_with("schedules/")
            || n.starts_with("sign-in/")),
        "{files:?}"
    );
}

#[test]
fn unknown_kinds_and_ids_are_refused() {
    let yaml = reference().join("programme.yaml");
    let output = secretariat(&["build", yaml.to_str().unwrap(), "--only", "certficates"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("certificates"));
    let out = tempfile::tempdir().unwrap();
    let output = secretariat(&[
        "build",
        yaml.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--who",
        "TH-1",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean TH-01?"));
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn a_summary_table_unless_quiet() {
    let yaml = reference().join("programme.yaml");
    let out = tempfile::tempdir().unwrap();
    let output = secretariat(&[
        "build",
        yaml.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("kind") && stderr.contains("print sheets"),
        "{stderr}"
    );
    let row = |kind: &str| -> Vec<String> {
        stderr
            .lines()
            .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .find(|cols| cols.first().map(String::as_str) == Some(kind))
            .unwrap_or_else(|| panic!("no {kind} row in {stderr}"))
    };
    assert_eq!(row("certificates")[1..4], ["12", "12", "12"]);
    assert_eq!(
        row("badges")[1..4],
        ["17", "17", "3"],
        "17 badges on three sheets"
    );
    assert_eq!(row("sign-in")[1], "12");

    let quiet = secretariat(&[
        "build",
        yaml.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert!(quiet.status.success());
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
}

#[test]
fn the_job_sheet_lists_every_print_file() {
    let out = tempfile::tempdir().unwrap();
    let files = unzip(&common::build(
        &reference().join("programme.yaml"),
        out.path(),
    ));
    let (_, csv) = files
        .iter()
        .find(|(n, _)| n == "print/job-sheet.csv")
        .unwrap();
    let csv = String::from_utf8(csv.clone()).unwrap();
    // For Excel, as the register.
    assert!(csv.starts_with("\u{FEFF}file,kind,pages,"), "{csv}");
    let prints: Vec<_> = files
        .iter()
        .filter(|(n, _)| {
            n.starts_with("print/") && n.ends_with(".pdf") && n != "print/job-sheet.pdf"
        })
        .collect();
    assert_eq!(prints.len(), 8);
    for (name, bytes) in prints {
        let pages = common::Pdf::parse(bytes).page_count();
        let row = csv
            .lines()
            .find(|l| l.starts_with(&format!("{name},")))
            .unwrap_or_else(|| panic!("{name} not in {csv}"));
        assert!(row.contains(&format!(",{pages},")), "{row}: {pages} pages");
    }
    let ink = "colour (CMYK); text in black ink only";
    for expected in [
        format!(
            "print/certificates.pdf,certificates,12,A4 landscape,simplex,250 gsm card,\
             none (flat sheets),{ink},1"
        ),
        format!(
            "print/thank-you.pdf,thank-you,54,A4 portrait,duplex (long edge),80 gsm paper,\
             fold in three for a window envelope (each letter starts on a new sheet),{ink},1"
        ),
    ] {
        assert!(csv.contains(&expected), "{expected} not in {csv}");
    }
    // Badges: the cut size and how many to cut per sheet.
    let badges = csv
        .lines()
        .find(|l| l.starts_with("print/badges.pdf,"))
        .unwrap();
    assert!(
        badges.contains("cut to 90 x 55 mm at the crop marks, 8 per sheet (2 x 4)"),
        "{badges}"
    );
    let (_, pdf) = files
        .iter()
        .find(|(n, _)| n == "print/job-sheet.pdf")
        .unwrap();
    let text = common::Pdf::parse(pdf).text();
    assert!(
        text.contains("print/badges.pdf") && text.contains("kccp-secretariat@example.org"),
        "{text}"
    );
}
