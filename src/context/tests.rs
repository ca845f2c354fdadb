//! The contexts as templates see them.

use std::collections::BTreeSet;

use minijinja::value::{Value, ValueKind};

use super::Views;
use crate::programme::Kind;
use crate::render::Templates;

/// Every map in `value` whose `id` is one of `ids`, with its keys.
fn people(value: &Value, ids: &BTreeSet<String>, found: &mut Vec<BTreeSet<String>>) {
    match value.kind() {
        ValueKind::Map => {
            let id = value
                .get_attr("id")
                .ok()
                .and_then(|v| v.as_str().map(String::from));
            if id.is_some_and(|id| ids.contains(&id)) {
                let keys = value.try_iter().unwrap();
                found.push(keys.map(|k| k.as_str().unwrap().to_string()).collect());
            }
            for key in value.try_iter().unwrap() {
                people(&value.get_item(&key).unwrap(), ids, found);
            }
        }
        ValueKind::Seq => {
            for item in value.try_iter().unwrap() {
                people(&item, ids, found);
            }
        }
        _ => {}
    }
}

/// A field added to the model's participants reaches every template that
/// shows participants, with no other code to change.
#[test]
fn every_participant_field_reaches_every_context_that_shows_participants() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/programme.yaml");
    let programme = crate::pipeline::check(&file).unwrap();
    let plan = crate::plan::plan(&programme, &Templates::new(&programme.folder)).unwrap();
    let views = Views::new(&programme);
    let fields: BTreeSet<String> = Value::from(minijinja::value::Serde(&programme.participants[0]))
        .try_iter()
        .unwrap()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains("phone") && fields.contains("days_attended"));
    let ids = programme
        .participants
        .iter()
        .map(|p| p.id.clone())
        .collect();
    let mut kinds = BTreeSet::new();
    for doc in &plan.documents {
        let mut found = Vec::new();
        people(&views.value(&doc.context), &ids, &mut found);
        for keys in &found {
            let missing: Vec<_> = fields.difference(keys).collect();
            assert!(missing.is_empty(), "{}: {missing:?}", doc.path);
        }
        if !found.is_empty() {
            kinds.insert(doc.kind.key());
        }
    }
    let expected = [
        Kind::Invitations,
        Kind::Badges,
        Kind::Certificates,
        Kind::SignIn,
        Kind::Participants,
        Kind::ThankYou,
    ];
    for kind in expected {
        assert!(
            kinds.contains(kind.key()),
            "no participant in {}",
            kind.key()
        );
    }
}

/// The modules a QR code's SVG path paints dark, from its rectangles
/// (`M{left} {top}h{width}v{height}H{left}V{top}`, in 4-unit modules).
fn painted(svg: &str) -> BTreeSet<(u32, u32)> {
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut modules = BTreeSet::new();
    for rect in d.split('M').filter(|r| !r.is_empty()) {
        let numbers: Vec<u32> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        let [left, top, width, height, ..] = numbers[..] else {
            panic!("not a rectangle: {rect}");
        };
        for x in (left..left + width).step_by(4) {
            for y in (top..top + height).step_by(4) {
                assert!(modules.insert((x / 4, y / 4)), "module painted twice");
            }
        }
    }
    modules
}

#[test]
fn a_qr_code_paints_the_modules_qrcode_itself_would_in_fewer_rectangles() {
    for text in ["TH-01", "KH-00130", "K7QF-3MZP-W2XA-9HTD", &"x".repeat(120)] {
        let ours = super::qr_svg(text);
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .unwrap();
        let theirs = code
            .render::<qrcode::render::svg::Color>()
            .quiet_zone(true)
            .module_dimensions(4, 4)
            .build();
        assert_eq!(painted(&ours), painted(&theirs), "{text}");
        let size = (code.width() + 8) * 4;
        assert!(ours.contains(&format!("viewBox=\"0 0 {size} {size}\"")));
        // About half as many: a row's dark modules come in runs.
        assert!(ours.matches('M').count() * 3 < theirs.matches('M').count() * 2);
    }
}
