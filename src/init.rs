//! `secretariat init`: a new programme folder, ready to build, with a small
//! commented example to edit. Existing files are never overwritten.

use std::path::{Path, PathBuf};

/// (path inside the new folder, contents)
const FILES: &[(&str, &str)] = &[
    (
        "programme.yaml",
        include_str!("../templates/init/programme.yaml"),
    ),
    (
        "assets/logo.svg",
        include_str!("../templates/init/logo.svg"),
    ),
    (
        "assets/signature.svg",
        include_str!("../templates/init/signature.svg"),
    ),
    (
        "templates/README.md",
        include_str!("../templates/init/templates-README.md"),
    ),
    (
        "fonts/README.md",
        include_str!("../templates/init/fonts-README.md"),
    ),
];

/// Creates the programme folder `dir`; returns the files written and those that
/// existed already and were left alone.
pub fn init(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for (name, contents) in FILES {
        let path = dir.join(name);
        if path.exists() {
            kept.push(path);
            continue;
        }
        std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
        std::fs::write(&path, contents)?;
        written.push(path);
    }
    Ok((written, kept))
}
