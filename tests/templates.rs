//! Templates: overriding the built-ins file by file, the `template:` and
//! `enabled:` settings, and errors that point at the template.

mod common;

use std::path::Path;

use common::{Pdf, fixture, line_of, replace_once, unzip};

/// Builds the programme in `dir` into `dir/out`; returns (exit code, stderr).
fn build_in(dir: &Path) -> (Option<i32>, String) {
    common::run_build(&dir.join("programme.yaml"), &dir.join("out"))
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn certificate_text(dir: &Path, id: &str) -> String {
    let files = unzip(&dir.join("out/kccp-2018-atip.zip"));
    let path = format!("certificates/{id}.pdf");
    let (_, bytes) = files.iter().find(|(n, _)| *n == path).expect("certificate");
    Pdf::parse(bytes).text()
}

#[test]
fn a_programme_template_replaces_the_built_in_one() {
    let dir = fixture(|y| y);
    write(
        dir.path(),
        "templates/certificates.typ.j2",
        "#set page(paper: \"a4\", flipped: true)\nLocal design for {{ participant.name }}\n",
    );
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(certificate_text(dir.path(), "TH-01").contains("Local design for Siriporn Chaiyaphum"));
}

#[test]
fn partials_are_overridden_file_by_file() {
    let dir = fixture(|y| y);
    let builtin = secretariat::render::builtin("partials/style.typ.j2").unwrap();
    write(
        dir.path(),
        "templates/partials/style.typ.j2",
        // A rule, not text: text here would start every document with a
        // page of its own (a badge so made fails the build for its bleed).
        &format!(
            "{builtin}\n#show \"This is to certify that\": [From the local partial, this is to certify that]\n"
        ),
    );
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    let text = certificate_text(dir.path(), "TH-01");
    assert!(text.contains("From the local partial"), "{text}");
    assert!(
        text.contains("Siriporn Chaiyaphum"),
        "built-in certificate still used"
    );
}

#[test]
fn the_template_setting_names_another_file() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "    issued_on: 2018-11-07\n",
            "    issued_on: 2018-11-07\n    template: gold.typ.j2\n",
        )
    });
    write(
        dir.path(),
        "templates/gold.typ.j2",
        "Gold edition {{ certificate.number }}\n",
    );
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(certificate_text(dir.path(), "TH-02").contains("Gold edition NWEC-KCCP-2018-C-002"));
}

#[test]
fn a_missing_template_is_reported_at_its_setting() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "    issued_on: 2018-11-07\n",
            "    issued_on: 2018-11-07\n    template: gold.typ.j2\n",
        )
    });
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(1));
    let yaml = std::fs::read_to_string(dir.path().join("programme.yaml")).unwrap();
    let line = line_of(&yaml, "template: gold.typ.j2");
    assert!(
        stderr.contains(&format!("programme.yaml:{line}:")),
        "{stderr}"
    );
    assert!(stderr.contains("gold.typ.j2"), "{stderr}");
}

#[test]
fn a_kind_can_be_switched_off() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "  certificates:\n    signed_by",
            "  certificates:\n    enabled: false\n    signed_by",
        )
    });
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    let files = unzip(&dir.path().join("out/kccp-2018-atip.zip"));
    let names: Vec<_> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        !names.iter().any(|n| n.contains("certificates")),
        "{names:?}"
    );
    assert!(
        names.contains(&"thank-you/iom.pdf"),
        "other kinds are still built"
    );
}

#[test]
fn an_undefined_variable_names_the_template_and_line() {
    let dir = fixture(|y| y);
    write(
        dir.path(),
        "templates/certificates.typ.j2",
        "First line\n{{ participant.name }}\n{{ participant.nickname }}\n",
    );
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("templates/certificates.typ.j2:3"),
        "{stderr}"
    );
    assert!(stderr.contains("undefined"), "{stderr}");
    assert!(!dir.path().join("out/kccp-2018-atip.zip").exists());
}

#[test]
fn a_typst_error_names_the_template_and_quotes_the_generated_line() {
    let dir = fixture(|y| y);
    write(
        dir.path(),
        "templates/certificates.typ.j2",
        "Certificate for {{ participant.name }}\n#text(size: 12)[oops]\n",
    );
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("template certificates.typ.j2"), "{stderr}");
    assert!(
        stderr.contains("generated line 2: #text(size: 12)[oops]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("templates/certificates.typ.j2:2: #text(size: 12)[oops]"),
        "names the template line: {stderr}"
    );
    assert!(
        stderr.contains("and 10 other documents"),
        "reported once: {stderr}"
    );
}

#[test]
fn packages_cannot_be_imported() {
    let dir = fixture(|y| y);
    write(
        dir.path(),
        "templates/certificates.typ.j2",
        "#import \"@preview/cetz:0.3.0\": canvas\n{{ participant.name }}\n",
    );
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("packages are not available"), "{stderr}");
}

#[test]
fn documents_cannot_read_outside_the_programme_folder() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
    let dir = fixture(|y| y);
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        dir.path().join("assets/link.txt"),
    )
    .unwrap();
    for path in ["/assets/link.txt", "../secret.txt"] {
        write(
            dir.path(),
            "templates/certificates.typ.j2",
            &format!("#read({path:?})\n{{{{ participant.name }}}}\n"),
        );
        let (code, stderr) = build_in(dir.path());
        assert_eq!(code, Some(1), "{path} was readable: {stderr}");
        assert!(!stderr.contains("secret\n"), "{stderr}");
    }
}

#[test]
fn source_date_epoch_sets_the_timestamps() {
    let dir = fixture(|y| y);
    let yaml = dir.path().join("programme.yaml");
    let out = dir.path().join("out");
    let output = common::secretariat_with(
        &[
            "build",
            yaml.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        // 2018-11-08 00:00:00 UTC
        &[("SOURCE_DATE_EPOCH", Some("1541635200"))],
    );
    assert!(output.status.success());
    let file = std::fs::File::open(out.join("kccp-2018-atip.zip")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let entry = zip.by_index(0).unwrap();
    let time = entry.last_modified().unwrap();
    assert_eq!((time.year(), time.month(), time.day()), (2018, 11, 8));
}

#[test]
fn certificates_without_signatories_still_build() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "    signed_by: [nwec-president, jica-tokyo-director]\n",
            "",
        )
    });
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(certificate_text(dir.path(), "TH-01").contains("Siriporn Chaiyaphum"));
}

#[test]
fn exported_then_edited_templates_are_used_by_the_next_build() {
    let dir = fixture(|y| y);
    let templates = dir.path().join("templates");
    let output = common::secretariat(&["templates", "export", templates.to_str().unwrap()]);
    assert!(output.status.success());
    let certificate = templates.join("certificates.typ.j2");
    let source = std::fs::read_to_string(&certificate).unwrap();
    std::fs::write(
        &certificate,
        replace_once(&source, "This is to certify that", "We hereby certify that"),
    )
    .unwrap();

    let list = common::secretariat(&[
        "templates",
        "list",
        dir.path().join("programme.yaml").to_str().unwrap(),
    ]);
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.contains("certificates.typ.j2  (overridden by"),
        "{list}"
    );
    assert!(list.contains("partials/letter.typ.j2"), "{list}");

    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(certificate_text(dir.path(), "TH-01").contains("We hereby certify that"));

    // A second export keeps the edited file.
    let again = common::secretariat(&["templates", "export", templates.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("kept"));
    assert!(
        std::fs::read_to_string(&certificate)
            .unwrap()
            .contains("We hereby certify that")
    );
}

/// A misspelt field in a template of the programme's own fails `check`,
/// before anything is built, naming the template line, the field, what its
/// parent has and the nearest; in a loop too.
#[test]
fn a_template_typo_fails_check_with_the_field_the_line_and_a_suggestion() {
    let dir = fixture(|y| y);
    write(
        dir.path(),
        "templates/certificates.typ.j2",
        "First line\n{{ participant.name }}\n{{ participant.nmae }}\n",
    );
    write(
        dir.path(),
        "templates/sign-in.typ.j2",
        "{% for p in participants %}\n{{ p.emial }}\n{% endfor %}\n",
    );
    let programme = dir.path().join("programme.yaml");
    let output = common::secretariat(&["check", programme.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for expected in [
        "undefined value: `participant` has no field `nmae`",
        "templates/certificates.typ.j2:3",
        "did you mean `name`? (`participant` has `country`, `days_attended`, `email`",
        "undefined value: `p` has no field `emial`",
        "templates/sign-in.typ.j2:2",
        "did you mean `email`?",
    ] {
        assert!(stderr.contains(expected), "`{expected}` in:\n{stderr}");
    }
}

#[test]
fn a_template_that_prints_over_itself_or_off_the_page_fails_and_writes_nothing() {
    let dir = fixture(|y| y);
    let (code, stderr) = build_in(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    let zip = dir.path().join("out/kccp-2018-atip.zip");
    let before = std::fs::read(&zip).unwrap();
    for (template, said) in [
        (
            // A list too long for its page, in a block that may not break.
            "#set page(paper: \"a5\")\n#block(breakable: false)[#for i in range(80) [Line #i for {{ participant.name }} \\ ]]\n",
            "runs off the page",
        ),
        (
            "#place(top + left)[{{ participant.name }}]\n#place(top + left, dy: 1mm)[{{ participant.name }}]\n",
            "is printed over",
        ),
    ] {
        write(dir.path(), "templates/certificates.typ.j2", template);
        let (code, stderr) = build_in(dir.path());
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains(said), "{stderr}");
        assert!(stderr.contains("certificate for"), "{stderr}");
        assert!(
            stderr.contains("templates/certificates.typ.j2, let a block"),
            "{stderr}"
        );
        assert!(stderr.contains("no zip was written"), "{stderr}");
        assert_eq!(
            std::fs::read(&zip).unwrap(),
            before,
            "the earlier zip changed"
        );
    }
}
