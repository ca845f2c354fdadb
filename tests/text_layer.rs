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
