//! The document cache: an unchanged document is reused, a change to any
//! template, asset, value or font typesets again exactly the documents whose
//! bytes it changes, and a cached build is byte-identical to a build from scratch.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use secretariat::pipeline::{self, BuildOptions, BuildReport};

fn build_with(dir: &Path, out: &str, cache: bool) -> BuildReport {
    pipeline::build(&BuildOptions {
        strict: false,
        progress: false,
        programme: dir.join("programme.yaml"),
        out: dir.join(out),
        fonts: Default::default(),
        only: Vec::new(),
        who: Vec::new(),
        cache,
    })
    .unwrap_or_else(|e| panic!("build failed: {e:?}"))
}

/// What an output folder's document cache holds: the distinct keys its
/// indexes list, their lines, and the size of each pack.
fn cache_contents(out: &Path) -> (usize, usize, Vec<u64>) {
    let (mut keys, mut lines, mut packs) = (BTreeSet::new(), 0, Vec::new());
    for entry in std::fs::read_dir(out.join(".cache")).unwrap() {
        let path = entry.unwrap().path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("index") => {
                for line in std::fs::read_to_string(&path).unwrap().lines() {
                    let record: serde_json::Value = serde_json::from_str(&line[65..]).unwrap();
                    keys.insert(record["key"].as_str().unwrap().to_string());
                    lines += 1;
                }
            }
            Some("pack") => packs.push(std::fs::metadata(&path).unwrap().len()),
            _ => {}
        }
    }
    (keys.len(), lines, packs)
}

/// The PDFs whose bytes differ between two builds (or exist in one only).
fn changed(before: &[(String, Vec<u8>)], after: &[(String, Vec<u8>)]) -> BTreeSet<String> {
    let pdfs = |files: &[(String, Vec<u8>)]| -> Vec<(String, Vec<u8>)> {
        files
            .iter()
            .filter(|(n, _)| n.ends_with(".pdf"))
            .cloned()
            .collect()
    };
    let (before, after) = (pdfs(before), pdfs(after));
    let mut names = BTreeSet::new();
    for (name, bytes) in &after {
        if before.iter().find(|(n, _)| n == name).map(|(_, b)| b) != Some(bytes) {
            names.insert(name.clone());
        }
    }
    for (name, _) in &before {
        if !after.iter().any(|(n, _)| n == name) {
            names.insert(name.clone());
        }
    }
    names
}

/// Builds the reference programme, applies `change` to its folder, builds again
/// with the cache and from scratch, and returns what the cached build typeset
/// and which PDFs changed.
fn rebuild_after(change: impl FnOnce(&Path)) -> (BTreeSet<String>, BTreeSet<String>, usize) {
    let dir = fixture(|y| y);
    let first = build_with(dir.path(), "out", true);
    let before = unzip(&first.zip);
    let documents = first.typeset.len();

    // Nothing changed: nothing is typeset, and the zip is the same to the byte.
    let again = build_with(dir.path(), "out", true);
    assert!(
        again.typeset.is_empty(),
        "typeset again: {:?}",
        again.typeset
    );
    assert_eq!(again.reused, documents);
    assert_eq!(
        std::fs::read(&first.zip).unwrap(),
        std::fs::read(&again.zip).unwrap()
    );

    change(dir.path());
    let cached = build_with(dir.path(), "out", true);
    let fresh = build_with(dir.path(), "fresh", false);
    assert_eq!(fresh.typeset.len(), documents, "--no-cache typesets all");
    assert!(
        std::fs::read(&cached.zip).unwrap() == std::fs::read(&fresh.zip).unwrap(),
        "a cached build differs from a build from scratch"
    );
    // The cache holds what the last build used, and at most as many bytes
    // again of older entries: a build from scratch leaves one pack, listing
    // each entry it made once.
    let (fresh_keys, fresh_lines, fresh_packs) = cache_contents(&dir.path().join("fresh"));
    assert_eq!(fresh_packs.len(), 1, "{fresh_packs:?}");
    assert_eq!(fresh_lines, fresh.typeset.len() + fresh.reused);
    assert_eq!(fresh_keys, fresh_lines);
    let (keys, _, packs) = cache_contents(&dir.path().join("out"));
    assert!(keys >= cached.typeset.len() + cached.reused);
    let held: u64 = packs.iter().sum();
    let zip = std::fs::metadata(&cached.zip).unwrap().len();
    assert!(held <= 2 * zip, "{held} bytes of packs for a zip of {zip}");

    let typeset: BTreeSet<String> = cached.typeset.into_iter().collect();
    (typeset, changed(&before, &unzip(&fresh.zip)), documents)
}

#[test]
fn a_changed_name_typesets_that_persons_documents_and_their_print_files() {
    let (typeset, changed, _) = rebuild_after(|dir| {
        let yaml = dir.join("programme.yaml");
        let text = std::fs::read_to_string(&yaml).unwrap();
        let text = replace_once(
            &text,
            "name: Siriporn Chaiyaphum\n",
            "name: Siriporn Chaiyaphum-Wong\n",
        );
        std::fs::write(&yaml, text).unwrap();
    });
    assert_eq!(typeset, changed);
    for path in [
        "invitations/TH-01.pdf",
        "badges/TH-01.pdf",
        "certificates/TH-01.pdf",
        "print/invitations.pdf",
        "print/badges.pdf",
        "print/certificates.pdf",
        // The day's sheets and the list name everyone; the Thai embassy's
        // thank-you letter names its nationals.
        "sign-in/2018-10-24.pdf",
        "participants/list.pdf",
        "thank-you/emb-th.pdf",
    ] {
        assert!(typeset.contains(path), "{path} not typeset: {typeset:?}");
    }
    for path in [
        "invitations/TH-02.pdf",
        "badges/MM-01.pdf",
        "certificates/LA-01.pdf",
        "thank-you/emb-la.pdf",
        "print/requests.pdf",
    ] {
        assert!(!typeset.contains(path), "{path} typeset again");
    }
}

#[test]
fn a_changed_template_typesets_the_documents_made_from_it() {
    let (typeset, changed, _) = rebuild_after(|dir| {
        let templates = dir.join("templates");
        std::fs::create_dir_all(&templates).unwrap();
        let source = secretariat::render::builtin("certificates.typ.j2").unwrap();
        let edited = replace_once(source, "This is to certify that", "We certify that");
        std::fs::write(templates.join("certificates.typ.j2"), edited).unwrap();
    });
    assert_eq!(typeset, changed);
    assert!(typeset.contains("certificates/TH-01.pdf"));
    assert!(
        typeset
            .iter()
            .all(|p| p.starts_with("certificates/") || p == "print/certificates.pdf"),
        "{typeset:?}"
    );
}

#[test]
fn a_changed_asset_typesets_the_documents_that_draw_it() {
    let (typeset, changed, documents) = rebuild_after(|dir| {
        let seal = dir.join("assets/seals/nwec-president.svg");
        let text = std::fs::read_to_string(&seal).unwrap();
        // A visible change: the seal's red becomes a darker red.
        assert!(text.contains("#c8322a"));
        std::fs::write(&seal, text.replace("#c8322a", "#901a10")).unwrap();
    });
    assert_eq!(typeset, changed);
    assert!(!typeset.is_empty());
    assert!(typeset.len() < documents / 2, "{typeset:?}");
    // The seal is on Japanese letters the president signs: requests and
    // thank-you letters to Japanese partners, and their print files.
    assert!(
        typeset.iter().all(|p| [
            "requests/",
            "thank-you/",
            "print/requests.pdf",
            "print/thank-you.pdf"
        ]
        .iter()
        .any(|prefix| p.starts_with(prefix))),
        "{typeset:?}"
    );
    assert!(typeset.contains("thank-you/mofa.pdf"));
}

#[test]
fn a_new_font_typesets_everything_again() {
    // Any document may fall back to a font newly on offer, so a change to the
    // fonts available invalidates every document.
    let (typeset, _, documents) = rebuild_after(|dir| {
        let fonts = dir.join("fonts");
        std::fs::create_dir_all(&fonts).unwrap();
        let (name, bytes) = secretariat::render::BUILTIN_FONTS
            .iter()
            .find(|(name, _)| name.contains("NotoSerifLao-Regular"))
            .unwrap();
        let file = Path::new(name).file_name().unwrap();
        std::fs::write(fonts.join(file), bytes).unwrap();
    });
    assert_eq!(typeset.len(), documents);
}
