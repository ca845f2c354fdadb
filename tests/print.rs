//! Print files, as a print shop's software reads them: titled, authored and
//! marked with the language their letters are written in; and which PDFs
//! carry a structure tree for screen readers.

mod common;

use common::{Pdf, build, reference, unzip};

/// A text string of a PDF (PDFDocEncoding or UTF-16BE with its mark).
fn text(object: &lopdf::Object) -> String {
    let bytes = object.as_str().unwrap();
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => String::from_utf16(
            &utf16
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        )
        .unwrap(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[test]
fn print_files_carry_a_title_an_author_and_their_language() {
    let out = tempfile::tempdir().unwrap();
    let zip = build(&reference().join("programme.yaml"), out.path());
    let files = unzip(&zip);
    for (path, title, lang) in [
        ("print/requests.pdf", "Request letters", "ja"),
        ("print/invitations.pdf", "Invitations", "en"),
        ("print/certificates.pdf", "Certificates", "en"),
    ] {
        let bytes = &files.iter().find(|(p, _)| p == path).unwrap().1;
        let pdf = Pdf::parse(bytes);
        let info = pdf
            .doc
            .trailer
            .get(b"Info")
            .and_then(|r| pdf.doc.dereference(r))
            .unwrap()
            .1
            .as_dict()
            .unwrap()
            .clone();
        let got = text(info.get(b"Title").unwrap());
        assert!(got.starts_with(title), "{path}: title {got:?}");
        assert!(got.contains("Anti-Trafficking"), "{path}: title {got:?}");
        let author = text(info.get(b"Author").unwrap());
        assert_eq!(author, "National Women's Education Center", "{path}");
        let catalog = pdf.doc.catalog().unwrap();
        assert_eq!(text(catalog.get(b"Lang").unwrap()), lang, "{path}");
    }
}

/// Documents that are sent and read on screen are tagged PDF; those made for
/// paper only (badges, sign-in sheets) and the print shop's files are not.
#[test]
fn documents_read_on_screen_are_tagged_and_those_for_paper_only_are_not() {
    let out = tempfile::tempdir().unwrap();
    let zip = build(&reference().join("programme.yaml"), out.path());
    let mut seen = std::collections::BTreeSet::new();
    for (path, bytes) in unzip(&zip) {
        if !path.ends_with(".pdf") {
            continue;
        }
        let folder = path.split('/').next().unwrap().to_string();
        let on_screen = match folder.as_str() {
            "invitations" | "requests" | "schedules" | "certificates" | "thank-you"
            | "participants" => true,
            "badges" | "sign-in" | "print" => false,
            other => panic!("unexpected folder {other}"),
        };
        let pdf = Pdf::parse(&bytes);
        let catalog = pdf.doc.catalog().unwrap();
        let marked = catalog
            .get(b"MarkInfo")
            .and_then(|m| pdf.doc.dereference(m))
            .and_then(|(_, m)| m.as_dict())
            .and_then(|m| m.get(b"Marked"))
            .and_then(|m| m.as_bool())
            .unwrap_or(false);
        assert_eq!(catalog.has(b"StructTreeRoot"), on_screen, "{path}");
        assert_eq!(marked, on_screen, "{path}");
        seen.insert(folder);
    }
    assert_eq!(seen.len(), 9, "{seen:?}");
}

/// A print file of documents following one another holds each member's
/// pages as they are: every page of it draws, pixel for pixel, what a page of
/// its members draws, every member page is there, and what is left over is
/// the blank backs that start each letter on a sheet of its own.
#[test]
fn print_files_draw_their_members_pages_pixel_for_pixel() {
    let out = tempfile::tempdir().unwrap();
    let programme_path = reference().join("programme.yaml");
    let files = unzip(&build(&programme_path, out.path()));
    let programme = secretariat::pipeline::check(&programme_path).unwrap();
    let typesetter = secretariat::pipeline::typesetter(&programme, &Default::default()).unwrap();
    // Each page rendered whole (trim and bleed), as the SHA-256 of its pixels.
    let rendered = |bytes: &[u8]| -> Vec<(String, bool)> {
        let pdf = Pdf::parse(bytes);
        let sizes = pdf
            .page_sizes_mm()
            .into_iter()
            .map(|(w, h)| (w as f64, h as f64))
            .collect();
        let pages = typesetter
            .pdf_pages(vec![(
                typst::foundations::Bytes::new(bytes.to_vec()),
                sizes,
            )])
            .unwrap();
        pages[0]
            .iter()
            .map(|page| {
                let page = common::Rendered::page(page, 0.75, true);
                let (w, h) = page.size();
                let blank = (0..h)
                    .step_by(3)
                    .all(|y| (0..w).step_by(3).all(|x| page.rgb(x, y) == [255, 255, 255]));
                (page.digest(), blank)
            })
            .collect()
    };
    for folder in [
        "invitations",
        "requests",
        "schedules",
        "certificates",
        "sign-in",
        "participants",
        "thank-you",
    ] {
        let print = format!("print/{folder}.pdf");
        let (_, bytes) = files.iter().find(|(n, _)| *n == print).unwrap();
        let mut members: Vec<String> = files
            .iter()
            .filter(|(n, _)| n.starts_with(&format!("{folder}/")) && n.ends_with(".pdf"))
            .flat_map(|(_, bytes)| rendered(bytes))
            .map(|(digest, _)| digest)
            .collect();
        assert!(!members.is_empty(), "{folder}");
        let mut pages = Vec::new();
        let mut blanks = 0;
        for (digest, blank) in rendered(bytes) {
            if blank && !members.contains(&digest) {
                blanks += 1;
            } else {
                pages.push(digest);
            }
        }
        members.sort();
        pages.sort();
        assert_eq!(pages, members, "{print}: its pages are its members'");
        let letters = ["invitations", "requests", "thank-you"].contains(&folder);
        assert!(letters || blanks == 0, "{print}: {blanks} blank pages");
    }
}
