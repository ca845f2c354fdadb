//! The text layer: a name in a complex script (Thai, Lao, Khmer, Myanmar)
//! reads back from its certificate and badge once, in order, with no
//! cluster doubled or lost, as a text extractor that ignores /ActualText
//! sees it.

mod common;

use unicode_normalization::UnicodeNormalization;

/// `text` as compared: NFC, without whitespace (an extractor puts spaces
/// between runs drawn apart) and zero-width characters.
fn comparable(text: &str) -> String {
    text.nfc()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}'))
        .collect()
}

#[test]
fn every_native_name_reads_back_once_from_its_certificate_and_badge() {
    let programme = common::reference().join("programme.yaml");
    let model = secretariat::pipeline::check(&programme).unwrap();
    let out = tempfile::tempdir().unwrap();
    let zip = common::build(&programme, out.path());
    let files = common::unzip(&zip);
    let text = |name: &str| -> Option<String> {
        let (_, bytes) = files.iter().find(|(n, _)| n == name)?;
        Some(comparable(
            &pdf_extract::extract_text_from_mem(bytes).unwrap(),
        ))
    };
    let mut checked = 0;
    for p in &model.participants {
        let Some(native) = &p.native_name else {
            continue;
        };
        let complex = native.chars().any(|c| {
            matches!(c, '\u{0E00}'..='\u{0EFF}' | '\u{1000}'..='\u{109F}' | '\u{1780}'..='\u{17FF}')
        });
        if !complex {
            continue;
        }
        let wanted = comparable(native);
        for document in [
            format!("certificates/{}.pdf", p.id),
            format!("badges/{}.pdf", p.id),
        ] {
            // Not every participant earns a certificate.
            let Some(found) = text(&document) else {
                continue;
            };
            assert!(
                found.contains(&wanted),
                "{document}: {native} not found once, in order, in:\n{found}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 13, "{checked} documents checked");
}

/// `text` as compared with its spaces: NFC, zero-width characters dropped,
/// each run of whitespace one space (an extractor puts several where words
/// are drawn in separate text objects).
fn spaced(text: &str) -> String {
    let text: String = text
        .nfc()
        .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}'))
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `name` reads back exactly from `text`, as pdf-extract gives it:
/// on one line, or across the lines a name wrapped onto, joined at its own
/// space or, in a script without spaces, at nothing. pdf-extract breaks a
/// line only where the baseline moves by half an em or more, so a mark
/// drawn a little off the line never reads as a line of its own.
fn reads(text: &str, name: &str) -> bool {
    let lines: Vec<String> = text.lines().map(spaced).filter(|l| !l.is_empty()).collect();
    let name = spaced(name);
    (1..=3).any(|k| {
        lines
            .windows(k)
            .any(|w| w.join(" ").contains(&name) || (k > 1 && w.concat().contains(&name)))
    })
}

/// Every name that does not read back exactly from the documents that
/// print it: each person's name and native name from their certificate and
/// badge; in letters, the addressee organisation's name in the letter's
/// language, the invited participant's name, and in an embassy's letter the
/// names of its country's participants.
fn misread(programme: &std::path::Path) -> Vec<String> {
    let model = secretariat::pipeline::check(programme).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = common::run_build(programme, out.path());
    assert_eq!(code, Some(0), "{stderr}");
    let zip = out.path().join(format!("{}.zip", model.info.id));
    let files: std::collections::HashMap<String, Vec<u8>> =
        common::unzip(&zip).into_iter().collect();
    let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
    let people = model
        .participants
        .iter()
        .map(|p| (&p.id, &p.name, &p.native_name))
        .chain(model.staff.iter().map(|s| (&s.id, &s.name, &s.native_name)));
    for (id, name, native) in people {
        let names: Vec<String> = std::iter::once(name).chain(native).cloned().collect();
        for kind in ["certificates", "badges"] {
            wanted.push((format!("{kind}/{id}.pdf"), names.clone()));
        }
    }
    for p in &model.participants {
        wanted.push((format!("invitations/{}.pdf", p.id), vec![p.name.clone()]));
    }
    for org in &model.organisations {
        let name = match org.language {
            secretariat::schema::Language::Ja => org.name_ja.as_ref().unwrap_or(&org.name),
            secretariat::schema::Language::En => &org.name,
        };
        let mut names = vec![name.clone()];
        if let Some(country) = &org.country {
            names.extend(
                model
                    .participants
                    .iter()
                    .filter(|p| p.country.code == country.code)
                    .map(|p| p.name.clone()),
            );
        }
        for kind in ["requests", "thank-you"] {
            wanted.push((format!("{kind}/{}.pdf", org.id), names.clone()));
        }
    }
    // Not everyone earns a certificate, nor is every organisation asked or
    // thanked: only the documents the build made are read.
    wanted.retain(|(document, _)| files.contains_key(document));
    assert!(!wanted.is_empty());
    let misread = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            scope.spawn(|| {
                while let Some((document, names)) =
                    wanted.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    let text = pdf_extract::extract_text_from_mem(&files[document]).unwrap();
                    for name in names {
                        if !reads(&text, name) {
                            misread
                                .lock()
                                .unwrap()
                                .push(format!("{document}: {name:?} in\n{}", spaced(&text)));
                        }
                    }
                }
            });
        }
    });
    let mut misread = misread.into_inner().unwrap();
    misread.sort();
    misread
}

fn assert_all_read(programme: &std::path::Path) {
    let misread = misread(programme);
    assert!(
        misread.is_empty(),
        "{} names misread:\n{}",
        misread.len(),
        misread.join("\n\n")
    );
}

#[test]
fn every_name_of_the_reference_reads_back_exactly() {
    assert_all_read(&common::reference().join("programme.yaml"));
}

#[test]
fn every_name_of_the_longest_names_reads_back_exactly() {
    let dir = common::longest_names();
    assert_all_read(&dir.path().join("programme.yaml"));
}

#[test]
fn every_name_of_the_hardest_clusters_reads_back_exactly() {
    let dir = common::hardest_clusters();
    assert_all_read(&dir.path().join("programme.yaml"));
}

#[test]
fn every_name_of_a_thousand_participants_reads_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    assert_all_read(&common::generated::generate(1000, dir.path()));
}

/// What pdf-extract reports drawn: each glyph's text, in order.
struct Glyphs(Vec<String>);

impl pdf_extract::OutputDev for Glyphs {
    fn begin_page(
        &mut self,
        _: u32,
        _: &pdf_extract::MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        _: &pdf_extract::Transform,
        _: f64,
        _: f64,
        _: f64,
        text: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        self.0.push(text.to_string());
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// pdf.js takes a glyph whose text holds a nonspacing mark for a mark: it
/// neither advances past it nor checks where it is, so a name whose first
/// glyph read ວິ joined the line above. A cluster's first glyph reads only
/// up to its first mark, the rest on the glyph after it; the glyphs'
/// texts, in order, still spell the name.
#[test]
fn a_native_name_begins_with_a_glyph_that_reads_no_mark() {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let nonspacing = |c: char| c.general_category() == GeneralCategory::NonspacingMark;
    let programme = common::reference().join("programme.yaml");
    let model = secretariat::pipeline::check(&programme).unwrap();
    let out = tempfile::tempdir().unwrap();
    let files = common::unzip(&common::build(&programme, out.path()));
    let mut checked = 0;
    for p in &model.participants {
        let Some(native) = &p.native_name else {
            continue;
        };
        if !native.chars().any(nonspacing) {
            continue;
        }
        for kind in ["certificates", "badges"] {
            let name = format!("{kind}/{}.pdf", p.id);
            let Some((_, bytes)) = files.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            let document = pdf_extract::Document::load_mem(bytes).unwrap();
            let mut glyphs = Glyphs(Vec::new());
            pdf_extract::output_doc(&document, &mut glyphs).unwrap();
            let texts: Vec<String> = glyphs
                .0
                .iter()
                .map(|t| {
                    t.chars()
                        .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}'))
                        .collect()
                })
                .collect();
            let first = native.chars().next().unwrap();
            let start = texts
                .iter()
                .position(|t| t.starts_with(first))
                .unwrap_or_else(|| panic!("{name}: no glyph reads {first}"));
            assert!(
                !texts[start].chars().any(nonspacing),
                "{name}: the first glyph of {native} reads {:?}",
                texts[start]
            );
            let spelled: String = texts[start..].concat();
            let wanted: String = native.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(
                spelled
                    .nfc()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .starts_with(&wanted.nfc().collect::<String>()),
                "{name}: {native} spelled as {spelled:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} documents checked");
}
