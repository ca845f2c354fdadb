//! Missing glyphs: a character no font covers fails the build by name, and the
//! PDF check the other tests rely on does see a missing glyph.

mod common;

use common::{Pdf, fixture, replace_once};
use secretariat::typeset::{FontOptions, Typesetter};

/// Ethiopic: none of the built-in fonts covers it.
const UNCOVERED: &str = "ሰላም";

/// Caught before typesetting, by the font preflight, naming entry and field.
#[test]
fn an_uncovered_character_fails_the_build_naming_the_entry_and_field() {
    let dir = fixture(|y| {
        replace_once(
            &y,
            "native_name: ចាន់ សុខា",
            &format!("native_name: {UNCOVERED}"),
        )
    });
    let yaml = dir.path().join("programme.yaml");
    let out = dir.path().join("out");
    let (code, stderr) = common::run_build(&yaml, &out);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("participants[10] (KH-01)"), "{stderr}");
    assert!(stderr.contains("`native_name`"), "{stderr}");
    assert!(stderr.contains("`ሰ` (U+1230)"), "{stderr}");
    assert!(!out.join("kccp-2018-atip.zip").exists());
}

#[test]
fn the_pdf_check_sees_a_missing_glyph() {
    let dir = tempfile::tempdir().unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2018, 11, 7).unwrap();
    let typesetter = Typesetter::new(
        dir.path(),
        &FontOptions::default(),
        date,
        date.and_hms_opt(0, 0, 0).unwrap(),
    )
    .unwrap();
    let covered = typesetter.compile("Covered text").unwrap();
    let uncovered = typesetter
        .compile(&format!("Text with {UNCOVERED}"))
        .unwrap();
    assert!(Typesetter::missing_glyphs(&covered).is_empty());
    assert!(!Typesetter::missing_glyphs(&uncovered).is_empty());
    let covered = Pdf::parse(&typesetter.pdf(&covered, "covered", true).unwrap());
    let uncovered = Pdf::parse(&typesetter.pdf(&uncovered, "uncovered", true).unwrap());
    assert_eq!(covered.missing_glyphs(), 0);
    assert!(uncovered.missing_glyphs() > 0);
}

/// Which font family a script's characters must come from.
fn script_font(c: char) -> Option<&'static str> {
    match c as u32 {
        0x0E00..=0x0E7F => Some("Thai"),
        0x0E80..=0x0EFF => Some("Lao"),
        0x1000..=0x109F => Some("Myanmar"),
        0x1780..=0x17FF => Some("Khmer"),
        0x3040..=0x30FF | 0x4E00..=0x9FFF => Some("CJK JP"),
        _ => None,
    }
}

/// Coverage does not prove shaping: a font carrying a stray mark of another
/// script once drew part of a Khmer name. Every document of the reference
/// programme draws each script with that script's own font, and no glyph is 0.
#[test]
fn every_script_is_drawn_with_its_own_font() {
    use secretariat::render::Templates;
    use secretariat::typeset::drawn_runs;
    let programme =
        secretariat::pipeline::check(&common::reference().join("programme.yaml")).unwrap();
    let templates = Templates::new(&programme.folder);
    let plan = secretariat::plan::plan(&programme, &templates).unwrap();
    let typesetter =
        secretariat::pipeline::typesetter(&programme, &FontOptions::default()).unwrap();
    assert!(plan.documents.len() > 80);
    let views = secretariat::context::Views::new(&programme);
    for doc in &plan.documents {
        let source = templates
            .render(&doc.template, &views.value(&doc.context))
            .unwrap();
        let document = typesetter.compile(&source).unwrap();
        assert!(
            Typesetter::missing_glyphs(&document).is_empty(),
            "{}",
            doc.path
        );
        for run in drawn_runs(&document) {
            for c in run.text.chars() {
                if let Some(family) = script_font(c) {
                    assert!(
                        run.font.contains(family),
                        "{}: {c:?} drawn with {}",
                        doc.path,
                        run.font
                    );
                }
            }
        }
    }
}
