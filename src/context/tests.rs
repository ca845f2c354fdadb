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
