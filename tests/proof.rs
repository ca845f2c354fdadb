//! `secretariat proof`: one labelled thumbnail per page of the set, and the page
//! images themselves with `--png`.

mod common;

use common::*;

#[test]
fn the_proof_sheet_has_one_labelled_thumbnail_per_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let png = dir.path().join("png");
    let yaml = reference().join("programme.yaml");
    let output = secretariat(&[
        "proof",
        yaml.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--only",
        "certificates",
        "--only",
        "thank-you",
        "--png",
        png.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    // The pages the set holds, from its manifest.
    let files = unzip(&out.join("kccp-2018-atip.certificates+thank-you.zip"));
    let (_, manifest) = files.last().unwrap();
    let mut expected = Vec::new();
    for line in String::from_utf8(manifest.clone()).unwrap().lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[0].starts_with("print/") || !cells[0].ends_with(".pdf") {
            continue;
        }
        let pages: usize = cells[2].parse().unwrap();
        for n in 1..=pages {
            expected.push(format!("{} · {n}/{pages}", cells[0]));
        }
    }
    assert_eq!(
        expected.len(),
        12 + 27,
        "12 certificates, 27 one-page letters"
    );

    let proof = std::fs::read(out.join("kccp-2018-atip.certificates+thank-you-proof.pdf")).unwrap();
    let pdf = Pdf::parse(&proof);
    let text = pdf.text();
    for label in &expected {
        assert_eq!(
            text.matches(label.as_str()).count(),
            1,
            "{label} should label exactly one thumbnail"
        );
    }
    assert_eq!(pdf.image_count(), expected.len(), "one thumbnail per page");
    assert!(pdf.page_sizes_mm().iter().all(|&s| s == (297, 210)));

    // --png: one image per page, named after its document.
    let mut pngs = Vec::new();
    for kind in ["certificates", "thank-you"] {
        for entry in std::fs::read_dir(png.join(kind)).unwrap() {
            pngs.push(entry.unwrap().path());
        }
    }
    assert_eq!(pngs.len(), expected.len());
    assert!(png.join("certificates/TH-01-1.png").is_file());
    let head = std::fs::read(png.join("certificates/TH-01-1.png")).unwrap();
    assert_eq!(&head[..8], b"\x89PNG\r\n\x1a\n");
}
