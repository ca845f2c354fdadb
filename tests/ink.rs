//! One-ink black: text, rules and marks print from the black plate alone.
//! A neutral grey or black made of red, green and blue prints from four
//! plates on a press and misregisters at small sizes; only brand colours (the
//! accent, the badges' role bands) may be colour.

mod common;

use common::{Pdf, build, reference, unzip};

/// Every colour a PDF sets, as its components (1: grey, 3: RGB, 4: CMYK),
/// from its page contents and the form XObjects they draw.
fn colours(pdf: &Pdf) -> Vec<Vec<f64>> {
    let mut found = Vec::new();
    for (_, object) in pdf.doc.objects.iter() {
        let Ok(stream) = object.as_stream() else {
            continue;
        };
        let subtype = stream.dict.get(b"Subtype").and_then(|s| s.as_name());
        let is_form = matches!(subtype, Ok(b"Form"));
        let is_page_content = subtype.is_err()
            && stream.dict.get(b"Type").is_err()
            && stream.dict.get(b"Length1").is_err();
        if !is_form && !is_page_content {
            continue;
        }
        let Ok(bytes) = stream.decompressed_content() else {
            continue;
        };
        let Ok(content) = lopdf::content::Content::decode(&bytes) else {
            continue;
        };
        for op in content.operations {
            let numbers: Vec<f64> = op
                .operands
                .iter()
                .filter_map(|o| match o {
                    lopdf::Object::Integer(i) => Some(*i as f64),
                    lopdf::Object::Real(r) => Some(*r as f64),
                    _ => None,
                })
                .collect();
            match op.operator.as_str() {
                "rg" | "RG" | "k" | "K" | "g" | "G" => found.push(numbers),
                // Named colour spaces: the operands are the components, a
                // trailing name (a pattern) aside.
                "sc" | "SC" | "scn" | "SCN" if !numbers.is_empty() => found.push(numbers),
                _ => {}
            }
        }
    }
    found
}

/// Whether a colour is a neutral (a grey or a black, perhaps slightly
/// tinted) made of three process colours.
fn rich_neutral(colour: &[f64]) -> bool {
    if colour.len() != 3 || colour.iter().all(|c| (c - 1.0).abs() < 0.002) {
        return false;
    }
    let max = colour.iter().cloned().fold(f64::MIN, f64::max);
    let min = colour.iter().cloned().fold(f64::MAX, f64::min);
    max - min < 0.05
}

/// The colours of the artwork the programme supplies (logos, seals,
/// signatures): an organisation's logo stays as it was drawn.
fn artwork_colours() -> Vec<[f64; 3]> {
    let mut colours = Vec::new();
    let mut folders = vec![reference().join("assets")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for (at, _) in text.match_indices('#') {
                let hex = text.get(at + 1..at + 7).unwrap_or("");
                if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    let c =
                        |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
                    colours.push([c(0), c(2), c(4)]);
                }
            }
        }
    }
    colours
}

#[test]
fn text_rules_and_marks_are_black_ink_alone() {
    let out = tempfile::tempdir().unwrap();
    let zip = build(&reference().join("programme.yaml"), out.path());
    let artwork = artwork_colours();
    assert!(!artwork.is_empty());
    let supplied = |c: &[f64]| {
        artwork
            .iter()
            .any(|a| a.iter().zip(c).all(|(a, c)| (a - c).abs() < 0.003))
    };
    let mut checked = 0;
    for (path, bytes) in unzip(&zip) {
        if !path.ends_with(".pdf") {
            continue;
        }
        let colours = colours(&Pdf::parse(&bytes));
        let bad: Vec<_> = colours
            .iter()
            .filter(|c| rich_neutral(c) && !supplied(c))
            .collect();
        assert!(
            bad.is_empty(),
            "{path}: neutrals made of RGB, which print from four plates: {bad:?}"
        );
        // Text is set somewhere in every document, in black ink.
        assert!(
            colours
                .iter()
                .any(|c| c.len() == 4 && c[..3].iter().all(|x| *x == 0.0) && c[3] > 0.99),
            "{path}: no pure black (CMYK 0/0/0/100) at all"
        );
        checked += 1;
    }
    assert!(checked > 100, "only {checked} PDFs checked");
}

#[test]
fn the_check_tells_rich_black_from_black_ink() {
    assert!(rich_neutral(&[0.12, 0.14, 0.16]));
    assert!(!rich_neutral(&[1.0, 1.0, 1.0]));
    assert!(!rich_neutral(&[0.11, 0.36, 0.39]), "the accent is a colour");
    assert!(!rich_neutral(&[0.0, 0.0, 0.0, 1.0]));
}
