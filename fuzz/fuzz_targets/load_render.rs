//! load → validate → plan → render to Typst, on arbitrary bytes: nothing may
//! panic, and every rendered document must be valid Typst syntax.
#![no_main]

use libfuzzer_sys::fuzz_target;
use secretariat::render::Templates;
use secretariat::{load, plan, validate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let folder = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../data"));
    let Ok(loaded) = load::parse(&folder.join("programme.yaml"), text) else { return };
    let Ok(programme) = validate::validate(loaded, folder) else { return };
    let templates = Templates::new(&programme.folder);
    let Ok(plan) = plan::plan(&programme, &templates) else { return };
    for doc in &plan.documents {
        if let Ok(source) = templates.render(&doc.template, &doc.context) {
            let root = typst::syntax::parse(&source);
            assert!(root.errors_and_warnings().0.is_empty(), "{}: invalid Typst", doc.path);
        }
    }
});
