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

/// Where no mark of a name is drawn in a text object of its own (raised or
/// lowered), a name reads back with its own spaces and no others: the pen
/// runs from cluster to cluster, so no extractor sees a gap inside a word.
#[test]
fn complex_names_read_back_with_their_own_spaces() {
    let programme = common::reference().join("programme.yaml");
    let model = secretariat::pipeline::check(&programme).unwrap();
    let out = tempfile::tempdir().unwrap();
    let files = common::unzip(&common::build(&programme, out.path()));
    for (document, id) in [
        ("badges", "TH-01"),
        ("badges", "TH-02"),
        ("badges", "LA-01"),
        ("badges", "MM-01"),
        ("badges", "MM-02"),
        ("certificates", "TH-02"),
        ("certificates", "LA-01"),
        ("certificates", "LA-02"),
        ("certificates", "MM-01"),
    ] {
        let name = format!("{document}/{id}.pdf");
        let (_, bytes) = files.iter().find(|(n, _)| *n == name).unwrap();
        let found = spaced(&pdf_extract::extract_text_from_mem(bytes).unwrap());
        let person = model.participants.iter().find(|p| p.id == id).unwrap();
        let native = spaced(person.native_name.as_deref().unwrap());
        assert!(
            found.contains(&native),
            "{name}: {native:?} not read back with its spaces in:\n{found}"
        );
        assert!(
            found.contains(&spaced(&person.name)),
            "{name}: {}",
            person.name
        );
    }
}
