//! Embeds the default templates and fonts, so the binary alone serves any
//! programme folder. Generates `$OUT_DIR/embedded.rs` listing every file under
//! `templates/`, in a fixed order.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("templates");
    println!("cargo:rerun-if-changed=templates");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();

    let mut out = String::new();
    out.push_str("/// Built-in templates: (name relative to `templates/`, source).\n");
    out.push_str("pub static TEMPLATES: &[(&str, &str)] = &[\n");
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "j2"))
    {
        let name = relative(&root, file);
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n\n/// Built-in fonts: (file name, bytes).\n");
    out.push_str("pub static FONTS: &[(&str, &[u8])] = &[\n");
    for file in files.iter().filter(|f| {
        f.extension()
            .is_some_and(|e| matches!(e.to_str(), Some("ttf" | "otf" | "ttc" | "otc")))
    }) {
        let name = relative(&root, file);
        writeln!(
            out,
            "    ({name:?}, include_bytes!({:?})),",
            file.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("embedded.rs");
    std::fs::write(dest, out).unwrap();
    fingerprint();
}

/// `SECRETARIAT_BUILD_FINGERPRINT`: a hash of everything this build is made of
/// (the code, the locked dependency versions, the built-in templates and fonts),
/// so the document cache never serves a PDF made by a different build.
fn fingerprint() {
    use std::hash::Hasher;
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
    let mut files = Vec::new();
    for dir in ["src", "templates"] {
        collect(&manifest.join(dir), &mut files);
    }
    files.push(manifest.join("Cargo.lock"));
    files.push(manifest.join("build.rs"));
    files.sort();
    // SipHash with fixed keys: stable for a given toolchain, which is all the
    // fingerprint needs (a new toolchain rebuilds the cache, as it should).
    #[allow(deprecated)]
    let mut hasher = std::hash::SipHasher::new();
    for file in &files {
        hasher.write(relative(&manifest, file).as_bytes());
        hasher.write(&std::fs::read(file).unwrap_or_default());
    }
    println!(
        "cargo:rustc-env=SECRETARIAT_BUILD_FINGERPRINT={:016x}",
        hasher.finish()
    );
}

fn relative(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap();
    rel.components()
        .map(|c| c.as_os_str().to_str().expect("template paths are UTF-8"))
        .collect::<Vec<_>>()
        .join("/")
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
